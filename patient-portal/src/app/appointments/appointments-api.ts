import { inject, Injectable } from '@angular/core';
import type { Appointment, Encounter, Parameters } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference, resourcesOfType } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';
import { isHold } from './appointment-holds';

/** An appointment with its doctor's name, as the list shows it. */
export interface AppointmentItem {
  readonly appointment: Appointment & { id: string };
  readonly doctorName: string;
  /** The PractitionerRole id the appointment was booked with, to book again (reschedule). */
  readonly roleId?: string;
  /** The status of its consultation Encounter, once the patient checked in (`in-progress`: the doctor is ready). */
  readonly encounterStatus?: Encounter['status'];
  /** The consultation Encounter's id (a finished one can be reviewed). */
  readonly encounterId?: string;
}

/** The patient's reasons to cancel (the selectable children of `patient` in the cancellation-reason CodeSystem). */
export const PATIENT_CANCELLATION_REASONS = [
  { code: 'patient-request', display: 'Patient request', label: 'Another reason' },
  { code: 'patient-schedule-conflict', display: 'Patient schedule conflict', label: 'The time no longer suits me' },
  { code: 'patient-feeling-better', display: 'Patient feeling better', label: 'I am feeling better' },
] as const;

export type PatientCancellationReason = (typeof PATIENT_CANCELLATION_REASONS)[number]['code'];

/**
 * The patient's appointments: a search with the Practitioner and the consultation Encounters
 * included (short holds from booking left out), and `Appointment/[id]/$cancel` with one of the patient's cancellation
 * reasons, which frees the slot in the same transaction.
 */
@Injectable({ providedIn: 'root' })
export class AppointmentsApi {
  private readonly fhir = inject(FhirClient);

  async list(patient: string): Promise<AppointmentItem[]> {
    const bundle = await firstValueFrom(
      this.fhir.search('Appointment', {
        patient,
        _include: 'Appointment:practitioner',
        _revinclude: 'Encounter:appointment',
        _sort: 'date',
        _count: 200,
      }),
    );
    const encounters = resourcesOfType(bundle, 'Encounter');
    return matches(bundle)
      .filter((appointment) => !isHold(appointment))
      .map((appointment) => {
        const doctor = appointment.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor;
        const included = resolveReference<'Practitioner'>(bundle, doctor?.reference);
        const encounter = encounters.find((candidate) =>
          candidate.appointment?.some((reference) => reference.reference === `Appointment/${appointment.id}`),
        );
        return {
          appointment: appointment as Appointment & { id: string },
          doctorName: formatHumanName(included?.name) || doctor?.display || 'Your doctor',
          roleId: appointment.participant
            .find((p) => p.actor?.reference?.startsWith('PractitionerRole/'))
            ?.actor?.reference?.slice('PractitionerRole/'.length),
          encounterStatus: encounter?.status,
          encounterId: encounter?.id,
        };
      });
  }

  async cancel(appointment: Appointment & { id: string }, reason: PatientCancellationReason = 'patient-request'): Promise<Appointment> {
    const label = PATIENT_CANCELLATION_REASONS.find((known) => known.code === reason)?.label ?? 'Cancelled by the patient';
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'reason', valueString: label },
        { name: 'reasonCode', valueCode: reason },
      ],
    };
    return firstValueFrom(this.fhir.operation<Appointment>(`Appointment/${appointment.id}/$cancel`, { body }));
  }
}
