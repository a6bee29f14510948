import type { Appointment, Encounter, Reference } from '@medplum/fhirtypes';

export type ParticipantRole = 'patient' | 'practitioner';

/** `Patient/<id>` of the appointment's patient participant, if it has one. */
export function appointmentPatient(appointment: Appointment): string | undefined {
  return actors(appointment).find((r) => r.startsWith('Patient/'));
}

/** `Practitioner/<id>` of each practitioner participant. */
export function appointmentPractitioners(appointment: Appointment): string[] {
  return actors(appointment).filter((r) => r.startsWith('Practitioner/'));
}

/** How `profile` (the caller's `Patient/<id>` or `Practitioner/<id>`) takes part in the appointment, if at all. */
export function participantRole(appointment: Appointment, profile: string | undefined): ParticipantRole | undefined {
  if (!profile) {
    return undefined;
  }
  if (appointmentPatient(appointment) === profile) {
    return 'patient';
  }
  return appointmentPractitioners(appointment).includes(profile) ? 'practitioner' : undefined;
}

/** `Appointment/<id>` the encounter records, if any. */
export function encounterAppointment(encounter: Encounter): string | undefined {
  return encounter.appointment?.map((r) => r.reference).find((r): r is string => r?.startsWith('Appointment/') === true);
}

function actors(appointment: Appointment): string[] {
  return (appointment.participant ?? [])
    .filter((p) => p.status !== 'declined')
    .map((p) => p.actor?.reference)
    .filter((r): r is string => typeof r === 'string');
}

export function reference(value: string): Reference {
  return { reference: value };
}
