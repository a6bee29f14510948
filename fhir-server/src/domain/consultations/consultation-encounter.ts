import type { Appointment, Encounter, EncounterStatusHistory } from '@medplum/fhirtypes';
import { appointmentPatient, appointmentPractitioners } from './consultation-participants';

/** v3 ActCode VR: a virtual (video) encounter. */
export const VIRTUAL_ENCOUNTER_CLASS = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR', display: 'virtual' };

const PRIMARY_PERFORMER = {
  coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'PPRF', display: 'primary performer' }],
};

/** The Encounter opened when the appointment's patient checks in: arrived, waiting to be admitted. */
export function encounterForAppointment(appointment: Appointment & { id: string }, now: Date): Encounter {
  const patient = appointmentPatient(appointment);
  return {
    resourceType: 'Encounter',
    status: 'arrived',
    statusHistory: [{ status: 'arrived', period: { start: now.toISOString() } }],
    class: VIRTUAL_ENCOUNTER_CLASS,
    ...(appointment.serviceType ? { serviceType: appointment.serviceType[0] } : {}),
    ...(patient ? { subject: { reference: patient } } : {}),
    participant: appointmentPractitioners(appointment).map((practitioner) => ({
      type: [PRIMARY_PERFORMER],
      individual: { reference: practitioner },
    })),
    appointment: [{ reference: `Appointment/${appointment.id}` }],
  };
}

/**
 * The encounter moved to a new status at `now`: the open status-history entry is closed,
 * a new one opened; `in-progress` starts the period (the consultation proper), `finished` ends it.
 */
export function withEncounterStatus<T extends Encounter>(encounter: T, status: Encounter['status'], now: Date): T {
  const at = now.toISOString();
  const history: EncounterStatusHistory[] = (encounter.statusHistory ?? []).map((entry) =>
    entry.period?.end ? entry : { ...entry, period: { ...entry.period, end: at } },
  );
  if (status !== 'finished') {
    history.push({ status, period: { start: at } });
  }
  const period = { ...encounter.period };
  if (status === 'in-progress' && !period.start) {
    period.start = at;
  }
  if (status === 'finished') {
    period.start ??= at;
    period.end = at;
  }
  return { ...encounter, status, statusHistory: history, ...(period.start ? { period } : {}) };
}
