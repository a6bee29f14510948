import type { Appointment, CodeableConcept } from '@medplum/fhirtypes';
import { bookSlot, holdSlot, type BookingRequest } from '../../domain/scheduling/booking';
import { idIn } from '../../domain/scheduling/slot-checks';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { badRequest, forbidden } from '../outcomes';
import { requireValidResource } from '../validation/resource-validator';
import { scheduling, settingsOf, slotIdOf } from './scheduling-outcome';

/** What a booking names: the slot, the patient, and optional reason, basis and notes. */
export interface BookingInput {
  readonly slot?: string;
  readonly patient?: string;
  readonly reasonCode?: CodeableConcept[];
  readonly basedOn?: string[];
  readonly comment?: string;
  readonly template?: Appointment;
}

/** A `POST Appointment` naming a slot is a booking. */
export function isSlotBooking(resourceType: string, body: unknown): boolean {
  return (
    resourceType === 'Appointment' &&
    Array.isArray((body as Appointment | undefined)?.slot) &&
    ((body as Appointment).slot?.length ?? 0) > 0
  );
}

/**
 * `POST Appointment` with a slot: validated, then booked like `$book` (201 with the booked
 * Appointment). Without a slot it is an ordinary create (the caller passes it on).
 */
export async function bookPostedAppointment(ctx: FhirContext, body: unknown): Promise<FhirResponse> {
  const appointment = (await requireValidResource(ctx, body, 'Appointment')) as Appointment;
  return book(ctx, fromAppointment(appointment), 'booked');
}

export function fromAppointment(appointment: Appointment): BookingInput {
  if ((appointment.slot ?? []).length !== 1) {
    throw badRequest('A booking names exactly one slot', 'Appointment.slot');
  }
  const patient = appointment.participant?.map((p) => p.actor?.reference).find((r) => idIn(r, 'Patient'));
  return {
    slot: appointment.slot?.[0].reference,
    patient,
    reasonCode: appointment.reasonCode,
    basedOn: appointment.basedOn?.map((b) => b.reference ?? ''),
    comment: appointment.comment,
    template: appointment,
  };
}

/** Books (status booked) or holds (status pending) a slot for the caller's patient. */
export async function book(ctx: FhirContext, input: BookingInput, status: 'booked' | 'pending'): Promise<FhirResponse> {
  const slotId = slotIdOf(input.slot);
  if (!slotId) {
    throw badRequest('A booking needs a slot (Slot/<id>)', 'slot');
  }
  const request: BookingRequest = {
    slotId,
    patient: patientFor(ctx, input.patient),
    reasonCode: input.reasonCode,
    basedOn: input.basedOn?.map((reference) => ({ reference })),
    comment: input.comment,
    template: input.template && withoutBookingFields(input.template),
  };
  const settings = settingsOf(ctx);
  const nowMs = Date.now();
  const appointment = await scheduling(() =>
    status === 'booked'
      ? bookSlot(ctx.repo, request, { nowMs })
      : holdSlot(ctx.repo, request, { nowMs, holdMinutes: settings.holdMinutes }),
  );
  const versionId = Number(appointment.meta?.versionId ?? 1);
  return {
    status: 201,
    resource: appointment,
    versionId,
    lastUpdated: appointment.meta?.lastUpdated,
    location: `${ctx.baseUrl}/Appointment/${appointment.id}/_history/${versionId}`,
  };
}

/** A patient books for themselves only; other callers name the patient. */
function patientFor(ctx: FhirContext, named: string | undefined): string {
  const principal = ctx.access.principal;
  const own = principal.kind === 'user' && principal.role === 'patient' ? principal.profile : undefined;
  if (own) {
    if (named && named !== own) {
      throw forbidden('Patients book appointments for themselves only');
    }
    return own;
  }
  const id = idIn(named, 'Patient');
  if (!id) {
    throw badRequest('The booking names no patient (a participant Patient/<id>)', 'patient');
  }
  return `Patient/${id}`;
}

/** Fields a booking sets itself, whatever the posted Appointment said. */
function withoutBookingFields(appointment: Appointment): Partial<Appointment> {
  // participant stays: the booking rebuilds it, keeping only the display names given.
  const { id: _id, meta: _meta, status: _status, start: _start, end: _end, slot: _slot, ...rest } = appointment;
  return rest;
}
