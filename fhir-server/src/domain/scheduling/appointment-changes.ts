import type { Appointment, CodeableConcept, Slot } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import type { Principal } from '../../auth/principal';
import type { FhirRepository } from '../../storage/fhir-repository';
import { holdingPatient } from './booking';
import { lockLive, readLive, updateVersion } from './resource-store';
import { SchedulingError } from './scheduling-error';
import { bookableOwner, idIn, requireFuture, withoutHold } from './slot-checks';

/** Appointment statuses that can still be cancelled or moved. */
const CHANGEABLE: ReadonlySet<string> = new Set(['proposed', 'pending', 'booked']);

export interface ChangeOptions {
  readonly nowMs: number;
  /** Patients may not cancel or reschedule less than this many minutes before the start. */
  readonly cancelWindowMinutes: number;
  readonly principal: Principal;
}

/**
 * Cancels an appointment (status cancelled, cancelationReason) and frees its future slots, in
 * one transaction. The caller must be able to see and write the appointment; a patient may not
 * cancel inside the cancel window. Cancelling a cancelled appointment changes nothing.
 */
export async function cancelAppointment(
  repo: FhirRepository,
  appointmentId: string,
  reason: CodeableConcept,
  options: ChangeOptions,
): Promise<Appointment & { id: string }> {
  return repo.transaction(async (tx) => {
    const appointment = await lockLive<Appointment>(tx, 'Appointment', appointmentId);
    if (appointment.resource.status === 'cancelled') {
      return appointment.resource;
    }
    requireChangeable(appointment.resource, options, 'cancel');
    const system = tx.withAccess(FULL_ACCESS);
    const cancelled = await updateVersion(tx, appointment, { ...appointment.resource, status: 'cancelled', cancelationReason: reason });
    await releaseSlots(system, appointment.resource, options.nowMs);
    return cancelled.resource;
  });
}

/**
 * Moves an appointment to another slot: the same Appointment gets the new slot, start and end
 * (its history keeps the old ones), the new slot becomes busy and the old one free, all in one
 * transaction. The new slot must be free, in the future, of a verified doctor, and not overlap
 * the patient's other appointments.
 */
export async function rescheduleAppointment(
  repo: FhirRepository,
  appointmentId: string,
  newSlotId: string,
  options: ChangeOptions,
): Promise<Appointment & { id: string }> {
  return repo.transaction(async (tx) => {
    const appointment = await lockLive<Appointment>(tx, 'Appointment', appointmentId);
    requireChangeable(appointment.resource, options, 'reschedule');
    const system = tx.withAccess(FULL_ACCESS);
    const slot = await lockLive<Slot>(system, 'Slot', newSlotId);
    if (appointment.resource.slot?.some((s) => idIn(s.reference, 'Slot') === newSlotId)) {
      return appointment.resource;
    }
    if (slot.resource.status !== 'free') {
      throw new SchedulingError('conflict', `Slot/${newSlotId} is not free`);
    }
    requireFuture(slot.resource, options.nowMs);
    const owner = await bookableOwner(system, slot.resource);
    const patient = holdingPatient(appointment.resource);
    if (patient) {
      await tx.lock(`bookings:${patient}`);
      const overlaps = await tx.overlappingBookings(patient, slot.resource.start, slot.resource.end, appointmentId);
      if (overlaps.length > 0) {
        throw new SchedulingError('conflict', `${patient} already has an appointment at that time`);
      }
    }
    await releaseSlots(system, appointment.resource, options.nowMs);
    await updateVersion(system, slot, { ...withoutHold(slot.resource), status: 'busy' });
    const participant = (appointment.resource.participant ?? [])
      .filter((p) => !/(?:^|\/)(Practitioner|PractitionerRole)\//.test(p.actor?.reference ?? ''))
      .concat(
        [owner.practitioner, owner.role]
          .filter((r): r is string => r !== undefined)
          .map((reference) => ({ actor: { reference }, status: 'accepted' as const })),
      );
    const moved = await updateVersion(tx, appointment, {
      ...appointment.resource,
      status: 'booked',
      slot: [{ reference: `Slot/${newSlotId}` }],
      start: slot.resource.start,
      end: slot.resource.end,
      participant,
    });
    return moved.resource;
  });
}

function requireChangeable(appointment: Appointment, options: ChangeOptions, verb: string): void {
  if (!CHANGEABLE.has(appointment.status)) {
    throw new SchedulingError(
      'business-rule',
      `An appointment that is ${appointment.status} cannot be ${verb === 'cancel' ? 'cancelled' : 'rescheduled'}`,
    );
  }
  const { principal } = options;
  if (principal.kind === 'user' && principal.role === 'patient' && appointment.start) {
    const minutesLeft = (Date.parse(appointment.start) - options.nowMs) / 60_000;
    if (minutesLeft < options.cancelWindowMinutes) {
      throw new SchedulingError(
        'business-rule',
        `Appointments cannot be ${verb === 'cancel' ? 'cancelled' : 'rescheduled'} by the patient less than ${options.cancelWindowMinutes} minutes before they start`,
      );
    }
  }
}

/**
 * The appointment's slots still in the future become free again, unless another active
 * appointment holds them (past ones stay as they were).
 */
async function releaseSlots(system: FhirRepository, appointment: Appointment, nowMs: number): Promise<void> {
  for (const reference of appointment.slot ?? []) {
    const id = idIn(reference.reference, 'Slot');
    const slot = id ? await readLive<Slot>(system, 'Slot', id) : undefined;
    if (!slot || Date.parse(slot.resource.start) <= nowMs || slot.resource.status === 'free') {
      continue;
    }
    const locked = await lockLive<Slot>(system, 'Slot', slot.resource.id);
    const holder = await system.slotHolder(slot.resource.id);
    if (holder === undefined || holder === appointment.id) {
      await updateVersion(system, locked, { ...withoutHold(locked.resource), status: 'free' });
    }
  }
}

/** Appointment statuses that hold no slot. */
const RELEASED: ReadonlySet<string> = new Set(['cancelled', 'noshow', 'entered-in-error']);

/** After any write of an appointment that no longer holds its slots (a PUT to cancelled), frees them. */
export async function releaseFreedSlots(system: FhirRepository, appointment: Appointment, nowMs: number): Promise<void> {
  if (RELEASED.has(appointment.status)) {
    await releaseSlots(system, appointment, nowMs);
  }
}
