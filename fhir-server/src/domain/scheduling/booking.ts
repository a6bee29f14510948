import type { Appointment, AppointmentParticipant, CodeableConcept, Reference, Slot } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import type { FhirRepository } from '../../storage/fhir-repository';
import { checkFollowUpBasis } from './follow-ups';
import { createVersion, lockLive, readLive, updateVersion, type Versioned } from './resource-store';
import { SchedulingError } from './scheduling-error';
import { bookableOwner, holdExpiry, idIn, requireFuture, withoutHold, HOLD_EXPIRES_URL } from './slot-checks';

export interface BookingRequest {
  readonly slotId: string;
  /** `Patient/<id>`: the caller's own for a patient, named in the request otherwise. */
  readonly patient: string;
  readonly reasonCode?: CodeableConcept[];
  readonly basedOn?: Reference[];
  readonly description?: string;
  readonly comment?: string;
  /** Extra fields of a POSTed Appointment (specialty, appointmentType, extensions...). */
  readonly template?: Partial<Appointment>;
}

export interface BookingOptions {
  readonly nowMs: number;
  /** For a hold: how long the slot stays tentatively busy. */
  readonly holdMinutes?: number;
}

/**
 * Books a slot (Appointment status booked, Slot busy) in one transaction: the Slot's write
 * lock is taken, it must be free (or held by this patient, or held past its expiry), in the
 * future and of a verified doctor; the patient's bookings are serialised and may not overlap.
 * The Appointment is written through the caller's repository, so a patient can only book for
 * themselves; the Slot through the server's. The booking ledger's unique slot index backs
 * all of this in the database. `repo` is the caller's bound repository.
 */
export function bookSlot(repo: FhirRepository, request: BookingRequest, options: BookingOptions): Promise<Appointment & { id: string }> {
  return reserve(repo, request, options, 'booked');
}

/** A short hold (Appointment pending, Slot busy-tentative with hold-expires) while the patient confirms. */
export function holdSlot(
  repo: FhirRepository,
  request: BookingRequest,
  options: BookingOptions & { holdMinutes: number },
): Promise<Appointment & { id: string }> {
  return reserve(repo, request, options, 'pending');
}

async function reserve(
  repo: FhirRepository,
  request: BookingRequest,
  options: BookingOptions,
  status: 'booked' | 'pending',
): Promise<Appointment & { id: string }> {
  return repo.transaction(async (tx) => {
    const system = tx.withAccess(FULL_ACCESS);
    const slot = await lockLive<Slot>(system, 'Slot', request.slotId);
    const ownHold = await claimSlot(tx, system, slot, request.patient, options.nowMs);
    requireFuture(slot.resource, options.nowMs);
    const owner = await bookableOwner(system, slot.resource);
    const patientId = idIn(request.patient, 'Patient');
    if (!patientId || !(await readLive(tx, 'Patient', patientId))) {
      throw new SchedulingError('not-found', `${request.patient} not found`);
    }
    await tx.lock(`bookings:${request.patient}`);
    const overlaps = await tx.overlappingBookings(request.patient, slot.resource.start, slot.resource.end, ownHold?.resource.id);
    if (overlaps.length > 0) {
      throw new SchedulingError('conflict', `${request.patient} already has an appointment at this time`);
    }
    if (request.basedOn?.length) {
      await checkFollowUpBasis(tx, request.basedOn, request.patient);
    }
    const holdUntil = status === 'pending' ? new Date(options.nowMs + (options.holdMinutes ?? 5) * 60_000).toISOString() : undefined;
    const slotStatus: Slot = holdUntil
      ? {
          ...withoutHold(slot.resource),
          status: 'busy-tentative',
          extension: [...(withoutHold(slot.resource).extension ?? []), { url: HOLD_EXPIRES_URL, valueInstant: holdUntil }],
        }
      : { ...withoutHold(slot.resource), status: 'busy' };
    await updateVersion(system, slot, slotStatus);
    const appointment: Appointment = {
      ...request.template,
      resourceType: 'Appointment',
      status,
      serviceType: request.template?.serviceType ?? slot.resource.serviceType,
      specialty: request.template?.specialty ?? slot.resource.specialty,
      reasonCode: request.reasonCode,
      basedOn: request.basedOn as Appointment['basedOn'],
      description: request.description,
      comment: request.comment,
      start: slot.resource.start,
      end: slot.resource.end,
      minutesDuration: Math.round((Date.parse(slot.resource.end) - Date.parse(slot.resource.start)) / 60_000),
      slot: [{ reference: `Slot/${slot.resource.id}` }],
      created: request.template?.created ?? new Date(options.nowMs).toISOString().slice(0, 10),
      participant: withClientDisplays(participants(request.patient, owner.practitioner, owner.role), request.template?.participant),
    };
    const written = ownHold
      ? await updateVersion(tx, ownHold, { ...ownHold.resource, ...appointment, id: ownHold.resource.id })
      : await createVersion(tx, appointment);
    return written.resource;
  });
}

/**
 * Takes the slot for this booking: free, held by this patient (the hold's Appointment is
 * returned to be confirmed), or held by someone whose hold lapsed (released first).
 */
async function claimSlot(
  tx: FhirRepository,
  system: FhirRepository,
  slot: Versioned<Slot>,
  patient: string,
  nowMs: number,
): Promise<Versioned<Appointment> | undefined> {
  const status = slot.resource.status;
  if (status === 'free') {
    return undefined;
  }
  const holderId = await tx.slotHolder(slot.resource.id);
  if (status === 'busy-tentative' && holderId) {
    const holder = await lockLive<Appointment>(system, 'Appointment', holderId);
    if (holder.resource.status === 'pending' && holdingPatient(holder.resource) === patient) {
      return lockLive<Appointment>(tx, 'Appointment', holderId);
    }
    const expiry = holdExpiry(slot.resource);
    if (holder.resource.status === 'pending' && expiry !== undefined && expiry <= nowMs) {
      await updateVersion(system, holder, { ...holder.resource, status: 'cancelled', cancelationReason: { text: 'Hold expired' } });
      return undefined;
    }
  }
  throw new SchedulingError('conflict', `Slot/${slot.resource.id} is not free`);
}

function holdingPatient(appointment: Appointment): string | undefined {
  const id = appointment.participant?.map((p) => idIn(p.actor?.reference, 'Patient')).find(Boolean);
  return id ? `Patient/${id}` : undefined;
}

function participants(patient: string, practitioner: string, role: string | undefined): AppointmentParticipant[] {
  const list: AppointmentParticipant[] = [
    { actor: { reference: patient }, required: 'required', status: 'accepted' },
    { actor: { reference: practitioner }, required: 'required', status: 'accepted' },
  ];
  if (role) {
    list.push({ actor: { reference: role }, required: 'information-only', status: 'accepted' });
  }
  return list;
}

/** Keeps the display names the client gave for the same actors (portals show them). */
function withClientDisplays(list: AppointmentParticipant[], given: AppointmentParticipant[] | undefined): AppointmentParticipant[] {
  return list.map((p) => {
    const display = given?.find((g) => g.actor?.reference === p.actor?.reference)?.actor?.display;
    return display && p.actor ? { ...p, actor: { ...p.actor, display } } : p;
  });
}

export { holdingPatient };
