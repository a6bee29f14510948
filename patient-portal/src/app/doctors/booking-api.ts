import { HttpErrorResponse } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { Appointment, Slot } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { isOperationOutcome } from '../core/fhir/outcome-message';
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
  /** Rescheduling: the appointment the new one replaces, cancelled once the new one is booked. */
  readonly replaces?: string;
}

const CANCELLATION_REASON = 'https://medbuddy.dev/fhir/CodeSystem/cancellation-reason';

const APPOINTMENT_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-appointment';

/**
 * Booking over the standard FHIR API: `hold` checks the slot is still free (a public Slot that
 * is no longer free is not found), `book` creates the Appointment referencing the Slot. The
 * server answers a lost race with 409 (Conflict), which becomes a SlotTakenError. When the
 * server offers `Appointment/$hold` and `$book`, only this class changes.
 */
@Injectable({ providedIn: 'root' })
export class BookingApi {
  private readonly fhir = inject(FhirClient);

  async hold(slot: Slot): Promise<Slot> {
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

  async book(request: BookingRequest): Promise<Appointment> {
    const slot = await this.hold(request.slot);
    const { doctor } = request;
    const appointment: Appointment = {
      resourceType: 'Appointment',
      meta: { profile: [APPOINTMENT_PROFILE] },
      status: 'booked',
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
    let booked: Appointment;
    try {
      booked = await firstValueFrom(this.fhir.create(appointment));
    } catch (error) {
      throw isTaken(error) ? new SlotTakenError() : error;
    }
    if (request.replaces) {
      // Only once the new time is booked, so that a failure never leaves the patient with neither.
      await this.cancelReplaced(request.replaces);
    }
    return booked;
  }

  private async cancelReplaced(id: string): Promise<void> {
    const old = await firstValueFrom(this.fhir.read('Appointment', id));
    await firstValueFrom(
      this.fhir.update({
        ...old,
        id,
        status: 'cancelled',
        cancelationReason: {
          coding: [{ system: CANCELLATION_REASON, code: 'patient-schedule-conflict', display: 'Patient schedule conflict' }],
          text: 'Rescheduled by the patient',
        },
      }),
    );
  }
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
