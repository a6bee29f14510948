import { HttpClient } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';

/** What a new doctor gives to open an account. */
export interface DoctorRegistration {
  readonly email: string;
  readonly password: string;
  readonly givenName: string;
  readonly familyName: string;
}

/** The server's password rule (NIST SP 800-63B: length, not composition). */
export const MIN_PASSWORD_LENGTH = 12;

/**
 * `POST /auth/register` with role `doctor`: the server creates the account and an inactive
 * Practitioner, and e-mails a confirmation link. It answers 202 whether or not the address
 * already had an account; a refusal (weak password, invalid address) is an OperationOutcome.
 */
@Injectable({ providedIn: 'root' })
export class DoctorRegistrationApi {
  private readonly http = inject(HttpClient);
  private readonly authBase = new URL('/auth/', inject(FHIR_ENDPOINT).baseUrl).href;

  async register(registration: DoctorRegistration): Promise<void> {
    await firstValueFrom(this.http.post(`${this.authBase}register`, { ...registration, role: 'doctor' }));
  }
}
