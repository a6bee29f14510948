import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';

/** What a new patient gives to open an account. */
export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly givenName: string;
  readonly familyName: string;
}

/** The server's password rule (NIST SP 800-63B: length, not composition). */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * The server's account endpoints next to the FHIR API (`/auth/*`, no token needed). Both
 * answer 202 whether or not the address has an account, so nobody learns who is registered;
 * a refusal (weak password, invalid address) is an OperationOutcome.
 */
@Injectable({ providedIn: 'root' })
export class AccountApi {
  private readonly http = inject(HttpClient);
  private readonly authBase = new URL('/auth/', inject(FHIR_ENDPOINT).baseUrl).href;

  /** `POST /auth/register`: creates the account and its Patient, and e-mails a confirmation link. */
  async register(registration: Registration): Promise<void> {
    await firstValueFrom(this.http.post(`${this.authBase}register`, { ...registration, role: 'patient' }));
  }

  /** `POST /auth/forgot-password`: e-mails a link to choose a new password, if the address has an account. */
  async forgotPassword(email: string): Promise<void> {
    await firstValueFrom(this.http.post(`${this.authBase}forgot-password`, { email }));
  }
}
