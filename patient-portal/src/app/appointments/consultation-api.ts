import { inject, Injectable } from '@angular/core';
import type { Appointment, Encounter, Parameters } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';
import { videoCredentials, type VideoCredentials } from '../shared/video-call/video-credentials';

/** An appointment with its doctor's name, as the waiting room shows it. */
export interface Consultation {
  readonly appointment: Appointment & { id: string };
  readonly doctorName: string;
}

/**
 * The consultation's FHIR calls: the appointment, `Appointment/[id]/$check-in` (enter the
 * waiting room: the Encounter, the same one on every call), the Encounter, and
 * `Encounter/[id]/$video-token`.
 */
@Injectable({ providedIn: 'root' })
export class ConsultationApi {
  private readonly fhir = inject(FhirClient);

  async consultation(appointmentId: string): Promise<Consultation | undefined> {
    const bundle = await firstValueFrom(this.fhir.search('Appointment', { _id: appointmentId, _include: 'Appointment:practitioner' }));
    const appointment = matches(bundle)[0];
    if (!appointment) {
      return undefined;
    }
    const doctor = appointment.participant.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor;
    const practitioner = resolveReference<'Practitioner'>(bundle, doctor?.reference);
    return {
      appointment: appointment as Appointment & { id: string },
      doctorName: formatHumanName(practitioner?.name) || doctor?.display || 'Your doctor',
    };
  }

  checkIn(appointmentId: string): Promise<Encounter & { id: string }> {
    return firstValueFrom(this.fhir.operation<Encounter & { id: string }>(`Appointment/${appointmentId}/$check-in`));
  }

  async videoToken(encounterId: string): Promise<VideoCredentials> {
    const answer = await firstValueFrom(this.fhir.operation<Parameters>(`Encounter/${encounterId}/$video-token`));
    return videoCredentials(answer);
  }
}
