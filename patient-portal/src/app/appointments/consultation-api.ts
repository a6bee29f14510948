import { inject, Injectable } from '@angular/core';
import type { Appointment, Encounter, Parameters } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';

/** How to join the consultation's video room (`Encounter/[id]/$video-token`). */
export interface VideoCredentials {
  /** `webrtc` (the server's built-in signalling) or `twilio`. */
  readonly provider: string;
  readonly room: string;
  readonly identity: string;
  readonly token: string;
  readonly expires: string;
  /** webrtc: the WebSocket to join with the token. */
  readonly signallingUrl?: string;
  readonly iceServers: RTCIceServer[];
}

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

/** The `$video-token` answer as credentials (iceServer parts become RTCIceServer entries). */
export function videoCredentials(answer: Parameters): VideoCredentials {
  const parameters = answer.parameter ?? [];
  const value = (name: string) => {
    const p = parameters.find((parameter) => parameter.name === name);
    return p?.valueString ?? p?.valueCode ?? p?.valueInstant ?? p?.valueUrl ?? p?.valueUri;
  };
  const iceServers = parameters
    .filter((p) => p.name === 'iceServer')
    .map((p) => {
      const parts = p.part ?? [];
      const text = (name: string) => parts.find((part) => part.name === name)?.valueString;
      return {
        urls: parts.filter((part) => part.name === 'urls').map((part) => part.valueString as string),
        username: text('username'),
        credential: text('credential'),
      };
    });
  return {
    provider: value('provider') ?? 'webrtc',
    room: value('room') ?? '',
    identity: value('identity') ?? '',
    token: value('token') ?? '',
    expires: value('expires') ?? '',
    signallingUrl: value('signallingUrl'),
    iceServers,
  };
}
