import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { Appointment, Parameters, Slot } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { isOperationOutcome } from '../core/fhir/outcome-message';
import { HOLD_RELEASED } from '../appointments/appointment-holds';
import type { Choice } from '../terminology/value-set-api';
import type { DoctorSummary } from './doctor-summary';

/** The slot is no longer free: someone else booked or held it first. */
export class SlotTakenError extends Error {
  constructor() {
    super('Someone else has just booked this time. Please pick another one.');
  }
}

export interface BookingRequest {
  readonly slot: Slot;
  readonly doctor: DoctorSummary;
  /** `Patient/<id>`. */
  readonly patient: string;
  readonly reason?: Choice;
  readonly comment?: string;
}

/** The patient already has another appointment at that time (the server refuses overlaps). */
export class OverlapError extends Error {
  constructor() {
    super('You already have another appointment at this time. Please pick another one.');
  }
}

/** A time held for the patient while they confirm: the pending Appointment `$hold` made. */
export interface Hold {
  readonly slot: Slot;
  readonly appointment: Appointment & { id: string };
}

const APPOINTMENT_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-appointment';

/**
 * Booking through the server's scheduling operations: `Appointment/$hold` keeps the picked
 * slot for the patient while they confirm (a pending Appointment), `Appointment/$book` of the
 * same slot confirms it, `$cancel` releases a hold the patient gave up, and
 * `Appointment/[id]/$reschedule` moves a booked appointment to another slot in one
 * transaction. A slot someone else holds or booked first is a 409, which becomes a SlotTakenError.
 */
@Injectable({ providedIn: 'root' })
export class BookingApi {
  private readonly fhir = inject(FhirClient);

  async hold(request: BookingRequest): Promise<Hold> {
    const appointment = await this.call<Appointment & { id: string }>('Appointment/$hold', appointmentFor(request));
    return { slot: request.slot, appointment };
  }

  /** Confirms the held slot with the reason and notes given meanwhile. */
  book(request: BookingRequest): Promise<Appointment & { id: string }> {
    return this.call('Appointment/$book', appointmentFor(request));
  }

  /** Gives a hold back so others may book the time; a failure is ignored (the hold lapses by itself). */
  async release(hold: Hold): Promise<void> {
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'reason', valueString: HOLD_RELEASED },
        { name: 'reasonCode', valueCode: 'patient-request' },
      ],
    };
    await firstValueFrom(this.fhir.operation(`Appointment/${hold.appointment.id}/$cancel`, { body })).catch(() => undefined);
  }

  /** Checks a slot is still free before rescheduling to it (the public directory hides one that is not). */
  async checkFree(slot: Slot): Promise<Slot> {
    try {
      const current = await firstValueFrom(this.fhir.read('Slot', slot.id as string));
      if (current.status !== 'free') {
        throw new SlotTakenError();
      }
      return current;
    } catch (error) {
      throw isTaken(error) ? new SlotTakenError() : error;
    }
  }

  /** Moves the appointment to the slot; the old time is freed in the same transaction. */
  reschedule(appointmentId: string, slot: Slot): Promise<Appointment & { id: string }> {
    const body: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'slot', valueString: `Slot/${slot.id}` }] };
    return this.call(`Appointment/${appointmentId}/$reschedule`, undefined, body);
  }

  private async call<T>(path: string, appointment?: Appointment, body?: Parameters): Promise<T> {
    const parameters: Parameters = body ?? { resourceType: 'Parameters', parameter: [{ name: 'appointment', resource: appointment }] };
    try {
      return await firstValueFrom(this.fhir.operation<T>(path, { body: parameters }));
    } catch (error) {
      if (isOverlap(error)) {
        throw new OverlapError();
      }
      throw isTaken(error) ? new SlotTakenError() : error;
    }
  }
}

/** The Appointment `$hold` and `$book` take: the slot, the participants (with the doctor's name), reason and notes. */
function appointmentFor(request: BookingRequest): Appointment {
  const { doctor, slot } = request;
  return {
    resourceType: 'Appointment',
    meta: { profile: [APPOINTMENT_PROFILE] },
    status: 'proposed',
    start: slot.start,
    end: slot.end,
    slot: [{ reference: `Slot/${slot.id}` }],
    specialty: doctor.role.specialty,
    reasonCode: request.reason
      ? [{ coding: [{ system: request.reason.system, code: request.reason.code, display: request.reason.display }] }]
      : undefined,
    comment: request.comment?.trim() || undefined,
    participant: [
      { actor: { reference: request.patient }, status: 'accepted', required: 'required' },
      { actor: { reference: doctor.practitionerReference, display: doctor.name }, status: 'accepted', required: 'required' },
      { actor: { reference: `PractitionerRole/${doctor.roleId}` }, status: 'accepted', required: 'information-only' },
    ],
  };
}

/** The server's 409 for a patient's own overlapping booking (its text names the patient, not the slot). */
function isOverlap(error: unknown): boolean {
  return (
    error instanceof HttpErrorResponse &&
    error.status === 409 &&
    isOperationOutcome(error.error) &&
    (error.error.issue ?? []).some((issue) => /already has an appointment/.test(issue.diagnostics ?? issue.details?.text ?? ''))
  );
}

/** Not found (the public directory hides a slot that is no longer free), or a conflict. */
function isTaken(error: unknown): boolean {
  if (error instanceof SlotTakenError) {
    return true;
  }
  if (!(error instanceof HttpErrorResponse)) {
    return false;
  }
  if (error.status === 404 || error.status === 409 || error.status === 410) {
    return true;
  }
  return isOperationOutcome(error.error) && (error.error.issue ?? []).some((issue) => issue.code === 'conflict');
}
