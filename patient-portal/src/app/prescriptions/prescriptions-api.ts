import { inject, Injectable } from '@angular/core';
import type { Binary, Bundle, MedicationRequest } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';

/** One medicine of a prescription. */
export interface PrescriptionLine {
  readonly id: string;
  readonly medication: string;
  readonly dosage: string;
  readonly status: MedicationRequest['status'];
}

/**
 * A prescription as the doctor issued it: the MedicationRequests sharing a `groupIdentifier`
 * (one signed PDF covers them all).
 */
export interface Prescription {
  /** The group's identifier, else the single request's id. */
  readonly key: string;
  /** A request of the group: `$pdf` of any item renders the whole group. */
  readonly requestId: string;
  readonly authoredOn?: string;
  readonly prescriber: string;
  readonly lines: readonly PrescriptionLine[];
}

/** The patient's prescriptions (MedicationRequest orders) and their signed PDF (`$pdf`). */
@Injectable({ providedIn: 'root' })
export class PrescriptionsApi {
  private readonly fhir = inject(FhirClient);

  async list(patient: string): Promise<Prescription[]> {
    const bundle = await firstValueFrom(
      this.fhir.search('MedicationRequest', {
        subject: patient,
        intent: 'order',
        _include: 'MedicationRequest:requester',
        _sort: '-authoredon',
        _count: 200,
      }),
    );
    return groupPrescriptions(bundle);
  }

  /** `GET MedicationRequest/<id>/$pdf`: the signed PDF of the request's prescription, as a Binary. */
  pdf(requestId: string): Promise<Binary> {
    return firstValueFrom(this.fhir.operation<Binary>(`MedicationRequest/${encodeURIComponent(requestId)}/$pdf`, { method: 'GET' }));
  }
}

/** Groups a searchset of MedicationRequests by prescription, in the order of the search. */
export function groupPrescriptions(bundle: Bundle): Prescription[] {
  const groups = new Map<string, { first: MedicationRequest; lines: PrescriptionLine[] }>();
  for (const request of matches(bundle) as MedicationRequest[]) {
    const key = request.groupIdentifier?.value ?? `MedicationRequest/${request.id}`;
    const group = groups.get(key) ?? { first: request, lines: [] };
    group.lines.push({
      id: request.id as string,
      medication: request.medicationCodeableConcept?.text ?? request.medicationCodeableConcept?.coding?.[0]?.display ?? 'Medicine',
      dosage: (request.dosageInstruction ?? [])
        .map((dosage) => dosage.text)
        .filter(Boolean)
        .join('; '),
      status: request.status,
    });
    groups.set(key, group);
  }
  return [...groups.entries()].map(([key, { first, lines }]) => {
    const requester = resolveReference<'Practitioner'>(bundle, first.requester?.reference);
    return {
      key,
      requestId: first.id as string,
      authoredOn: first.authoredOn,
      prescriber: formatHumanName(requester?.name) || first.requester?.display || 'Your doctor',
      lines,
    };
  });
}
