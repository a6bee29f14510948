import { HttpBackend, HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { FHIR_ENDPOINT } from '../fhir/fhir-endpoint';

/** The parts of `.well-known/smart-configuration` the portals use (conformance.html#metadata). */
export interface SmartConfiguration {
  readonly issuer?: string;
  readonly authorization_endpoint: string;
  readonly token_endpoint: string;
  readonly revocation_endpoint?: string;
  readonly code_challenge_methods_supported?: readonly string[];
  readonly capabilities?: readonly string[];
}

/** The token endpoint's answer (RFC 6749 section 5.1 with SMART's launch context). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly patient?: string;
  readonly fhirUser?: string;
}

/**
 * The OAuth2 side of SMART App Launch: discovery, code exchange, refresh and revocation. It
 * bypasses the HTTP interceptors: these calls carry no bearer token, and a refresh must never
 * wait on itself.
 */
@Injectable({ providedIn: 'root' })
export class SmartClient {
  private readonly http = new HttpClient(inject(HttpBackend));
  private readonly fhirBaseUrl = inject(FHIR_ENDPOINT).baseUrl;
  private discovery?: Promise<SmartConfiguration>;

  /** `GET [base]/.well-known/smart-configuration`, once per app start (retried after a failure). */
  discover(): Promise<SmartConfiguration> {
    this.discovery ??= firstValueFrom(this.http.get<SmartConfiguration>(`${this.fhirBaseUrl}/.well-known/smart-configuration`))
      .then(checkConfiguration)
      .catch((error: unknown) => {
        this.discovery = undefined;
        throw error;
      });
    return this.discovery;
  }

  /** Authorization code grant with the PKCE verifier (RFC 6749 4.1.3, RFC 7636 4.5). */
  exchangeCode(
    config: SmartConfiguration,
    grant: { code: string; redirectUri: string; codeVerifier: string; clientId: string },
  ): Promise<TokenResponse> {
    return this.tokenRequest(config, {
      grant_type: 'authorization_code',
      code: grant.code,
      redirect_uri: grant.redirectUri,
      code_verifier: grant.codeVerifier,
      client_id: grant.clientId,
    });
  }

  /** Refresh grant (RFC 6749 section 6); the server rotates the refresh token. */
  refresh(config: SmartConfiguration, refreshToken: string, clientId: string): Promise<TokenResponse> {
    return this.tokenRequest(config, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: clientId });
  }

  /** Token revocation (RFC 7009); a server without the endpoint lets tokens expire. */
  async revoke(config: SmartConfiguration, token: string, clientId: string): Promise<void> {
    if (config.revocation_endpoint) {
      await firstValueFrom(this.http.post(config.revocation_endpoint, form({ token, client_id: clientId }), { headers: FORM_HEADERS }));
    }
  }

  private async tokenRequest(config: SmartConfiguration, fields: Record<string, string>): Promise<TokenResponse> {
    const response = await firstValueFrom(this.http.post<TokenResponse>(config.token_endpoint, form(fields), { headers: FORM_HEADERS }));
    if (typeof response?.access_token !== 'string' || typeof response.expires_in !== 'number' || !/^bearer$/i.test(response.token_type)) {
      throw new Error('The sign-in server sent an unusable token. Please sign in again.');
    }
    return response;
  }
}

const FORM_HEADERS = new HttpHeaders({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' });

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function checkConfiguration(config: SmartConfiguration): SmartConfiguration {
  if (!config?.authorization_endpoint || !config.token_endpoint) {
    throw new Error('The FHIR server does not offer SMART on FHIR sign-in.');
  }
  if (!config.code_challenge_methods_supported?.includes('S256')) {
    throw new Error('The FHIR server does not support PKCE with S256, which this app requires.');
  }
  return config;
}
