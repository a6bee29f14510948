import { inject, Injectable } from '@angular/core';
import type { Parameters } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { videoCredentials, type VideoCredentials } from '../shared/video-call/video-credentials';

/**
 * The video room of a consultation: `Encounter/[id]/$video-token` as credentials for the call
 * in the workspace (shared/video-call/), or, as a fallback, the server's room page with the
 * token in the fragment (never sent to the server by the browser) in a separate window. The
 * page speaks the provider the server names: the built-in WebRTC signalling, or Twilio Video
 * (`provider=twilio` and the room name in the fragment too).
 */
@Injectable({ providedIn: 'root' })
export class VideoRoom {
  private readonly fhir = inject(FhirClient);
  private readonly serverUrl = inject(FHIR_ENDPOINT).baseUrl.replace(/\/fhir$/, '');

  /** Fresh credentials for the encounter's room; throws the server's refusal (HttpErrorResponse). */
  async credentials(encounterId: string): Promise<VideoCredentials> {
    const answer = await firstValueFrom(this.fhir.operation<Parameters>(`Encounter/${encodeURIComponent(encounterId)}/$video-token`));
    const credentials = videoCredentials(answer);
    if (!credentials.token) {
      throw new Error('The server gave no video token.');
    }
    return credentials;
  }

  /** The room page URL for the encounter; throws the server's refusal (HttpErrorResponse). */
  async url(encounterId: string): Promise<string> {
    const credentials = await this.credentials(encounterId);
    const fragment = new URLSearchParams({ token: credentials.token });
    if (credentials.provider === 'twilio') {
      fragment.set('provider', 'twilio');
      fragment.set('room', credentials.room);
    }
    return `${this.serverUrl}/video/room#${fragment.toString()}`;
  }

  /** Opens the room page in a separate window. It is opened at once (a popup must come from the click), then sent to the room. */
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
