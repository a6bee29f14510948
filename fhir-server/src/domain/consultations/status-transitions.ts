import type { Appointment, Encounter } from '@medplum/fhirtypes';

type AppointmentStatus = Appointment['status'];
type EncounterStatus = Encounter['status'];

/**
 * The Appointment lifecycle (http://hl7.org/fhir/R4/appointment.html#statemachine): a request
 * becomes booked, the patient arrives (checks in), and it ends fulfilled, cancelled or as a
 * no-show. Any status may be corrected to entered-in-error; the end states are final.
 */
const APPOINTMENT_TRANSITIONS: Record<AppointmentStatus, readonly AppointmentStatus[]> = {
  proposed: ['pending', 'booked', 'waitlist', 'cancelled'],
  pending: ['booked', 'waitlist', 'cancelled'],
  waitlist: ['proposed', 'pending', 'booked', 'cancelled'],
  booked: ['arrived', 'checked-in', 'cancelled', 'noshow'],
  arrived: ['fulfilled', 'cancelled'],
  'checked-in': ['arrived', 'fulfilled', 'cancelled'],
  fulfilled: [],
  cancelled: [],
  noshow: [],
  'entered-in-error': [],
};

/** The Encounter lifecycle (http://hl7.org/fhir/R4/encounter.html#statemachine, simplified to forward moves). */
const ENCOUNTER_TRANSITIONS: Record<EncounterStatus, readonly EncounterStatus[]> = {
  planned: ['arrived', 'triaged', 'in-progress', 'cancelled'],
  arrived: ['triaged', 'in-progress', 'cancelled'],
  triaged: ['in-progress', 'cancelled'],
  'in-progress': ['onleave', 'finished'],
  onleave: ['in-progress', 'finished'],
  finished: [],
  cancelled: [],
  unknown: ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled'],
  'entered-in-error': [],
};

const TRANSITIONS: Record<string, Record<string, readonly string[]>> = {
  Appointment: APPOINTMENT_TRANSITIONS,
  Encounter: ENCOUNTER_TRANSITIONS,
};

/** Whether this resource type has a status lifecycle enforced on every write. */
export function hasStatusLifecycle(resourceType: string): boolean {
  return resourceType in TRANSITIONS;
}

/**
 * Why a status change is not allowed, or undefined when it is: unchanged statuses, listed
 * moves and corrections to entered-in-error are allowed.
 */
export function statusTransitionProblem(resourceType: string, from: string, to: string): string | undefined {
  const table = TRANSITIONS[resourceType];
  if (!table || from === to || to === 'entered-in-error') {
    return undefined;
  }
  const allowed = table[from];
  if (allowed === undefined) {
    return `${resourceType} status "${from}" is unknown`;
  }
  if (allowed.includes(to)) {
    return undefined;
  }
  const next = allowed.length > 0 ? `; from "${from}" it may become ${allowed.map((s) => `"${s}"`).join(', ')}` : `; "${from}" is final`;
  return `${resourceType} status cannot change from "${from}" to "${to}"${next}`;
}

/**
 * Status changes a patient may make with an ordinary write: cancelling their own appointment.
 * Checking in, admitting and ending go through the waiting-room operations, which check who
 * may do what and when.
 */
export function patientMayChangeStatus(resourceType: string, to: string): boolean {
  return resourceType === 'Appointment' && to === 'cancelled';
}
