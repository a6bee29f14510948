import { inject, Injectable } from '@angular/core';
import type { Appointment, Bundle, Period, ServiceRequest, Slot } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference, resourcesOfType } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';

/** profiles/StructureDefinition-medbuddy-follow-up.json: the code every follow-up carries. */
const FOLLOW_UP_CODE = 'https://medbuddy.dev/fhir/CodeSystem/consultation-type|follow-up';
const ACTIVE_APPOINTMENT = new Set(['proposed', 'pending', 'booked', 'arrived', 'checked-in', 'fulfilled']);

/** A follow-up the doctor recommended: who, when (the window), why, and its booking if any. */
export interface FollowUp {
  readonly request: ServiceRequest & { id: string };
  readonly doctorName: string;
  /** `Practitioner/<id>` of the recommending doctor, whose free times are offered. */
  readonly doctor?: string;
  readonly window: Period;
  readonly reason: string;
  /** The appointment already booked on this recommendation. */
  readonly appointment?: Appointment & { id: string };
}

/**
 * Follow-ups (domain/scheduling/follow-ups.ts on the server): the doctor's `ServiceRequest`
 * (intent proposal, code follow-up, a time window); the patient books a free slot of that doctor
 * with `Appointment/$book` and `basedOn` the request, in one call. The request is completed by
 * the server once that appointment is fulfilled.
 */
@Injectable({ providedIn: 'root' })
export class FollowUpsApi {
  private readonly fhir = inject(FhirClient);

  async list(patient: string): Promise<FollowUp[]> {
    const bundle = await firstValueFrom(
      this.fhir.search('ServiceRequest', {
        subject: patient,
        status: 'active',
        code: FOLLOW_UP_CODE,
        _include: 'ServiceRequest:requester',
        _revinclude: 'Appointment:based-on',
        _sort: 'occurrence',
        _count: 100,
      }),
    );
    return matches(bundle).map((request) => toFollowUp(request as ServiceRequest & { id: string }, bundle));
  }

  /** The doctor's free slots inside the window that have not started, soonest first. */
  async freeSlots(followUp: FollowUp, now = new Date(), count = 6): Promise<(Slot & { id: string })[]> {
    if (!followUp.doctor || !followUp.window.end) {
      return [];
    }
    const from = new Date(Math.max(now.getTime(), new Date(followUp.window.start ?? now).getTime()));
    const bundle = await firstValueFrom(
      this.fhir.search('Slot', {
        'schedule.actor': followUp.doctor,
        status: 'free',
        start: [`ge${from.toISOString()}`, `lt${windowEnd(followUp.window.end)}`],
        _sort: 'start',
        _count: count,
      }),
    );
    return matches(bundle) as (Slot & { id: string })[];
  }

  /** `POST Appointment/$book` of the slot, based on the recommendation: the booked Appointment. */
  book(slotId: string, followUp: FollowUp): Promise<Appointment> {
    return firstValueFrom(
      this.fhir.operation<Appointment>('Appointment/$book', {
        body: {
          resourceType: 'Parameters',
          parameter: [
            { name: 'slot', valueString: `Slot/${slotId}` },
            { name: 'basedOn', valueString: `ServiceRequest/${followUp.request.id}` },
            { name: 'reason', valueString: 'Follow-up' },
          ],
        },
      }),
    );
  }
}

function toFollowUp(request: ServiceRequest & { id: string }, bundle: Bundle): FollowUp {
  const requester = request.requester?.reference;
  const practitioner = resolveReference<'Practitioner'>(bundle, requester);
  const appointment = resourcesOfType(bundle, 'Appointment').find(
    (candidate) =>
      ACTIVE_APPOINTMENT.has(candidate.status) && (candidate.basedOn ?? []).some((b) => b.reference === `ServiceRequest/${request.id}`),
  );
  return {
    request,
    doctorName: formatHumanName(practitioner?.name) || request.requester?.display || 'Your doctor',
    doctor: requester?.startsWith('Practitioner/') ? requester : undefined,
    window: request.occurrencePeriod ?? {},
    reason:
      request.patientInstruction ??
      request.reasonCode?.[0]?.text ??
      request.reasonCode?.[0]?.coding?.[0]?.display ??
      request.note?.[0]?.text ??
      '',
    appointment: appointment as (Appointment & { id: string }) | undefined,
  };
}

/** The window's end as an exclusive instant: a date-only end includes that whole day. */
export function windowEnd(end: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(end)) {
    const next = new Date(`${end}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    return next.toISOString();
  }
  return end;
}
