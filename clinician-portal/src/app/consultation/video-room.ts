import { inject, Injectable } from '@angular/core';
import type { Parameters } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';

/**
 * The video call of a consultation: `Encounter/[id]/$video-token`, then the server's room page
 * with the token in the fragment (never sent to the server by the browser), opened in its own
 * tab beside the workspace. The page speaks the provider the server names: the built-in WebRTC
 * signalling, or Twilio Video (`provider=twilio` and the room name in the fragment too).
 */
@Injectable({ providedIn: 'root' })
export class VideoRoom {
  private readonly fhir = inject(FhirClient);
  private readonly serverUrl = inject(FHIR_ENDPOINT).baseUrl.replace(/\/fhir$/, '');

  /** The room URL for the encounter; throws the server's refusal (HttpErrorResponse). */
  async url(encounterId: string): Promise<string> {
    const result = await firstValueFrom(this.fhir.operation<Parameters>(`Encounter/${encodeURIComponent(encounterId)}/$video-token`));
    const value = (name: string) => {
      const parameter = result.parameter?.find((p) => p.name === name);
      return parameter?.valueString ?? parameter?.valueCode;
    };
    const token = value('token');
    if (!token) {
      throw new Error('The server gave no video token.');
    }
    const fragment = new URLSearchParams({ token });
    if (value('provider') === 'twilio') {
      fragment.set('provider', 'twilio');
      fragment.set('room', value('room') ?? '');
    }
    return `${this.serverUrl}/video/room#${fragment.toString()}`;
  }

  /** Opens the room in a new tab. The tab is opened at once (a popup must come from the click), then sent to the room. */
  async open(encounterId: string): Promise<void> {
    const tab = window.open('', '_blank');
    try {
      const url = await this.url(encounterId);
      if (tab) {
        tab.location.href = url;
      }
    } catch (error) {
      tab?.close();
      throw error;
    }
  }
}
