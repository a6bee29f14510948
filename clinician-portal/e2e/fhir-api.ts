import type { Account, MedBuddyServer } from './support/medbuddy-server';

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly etag: string | null;
}

/**
 * A user's own FHIR client for the side of a journey a test drives through the API (the
 * patient booking and checking in, a colleague changing a note): `POST /auth/login`, then
 * plain FHIR requests with the access token.
 */
export class FhirApi {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    /** The user's own resource (`Patient/1`, `Practitioner/2`); none for administrators. */
    readonly profile: string | undefined,
  ) {}

  static async signIn(server: MedBuddyServer, account: Account): Promise<FhirApi> {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(account),
    });
    if (!response.ok) {
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    }
    const tokens = (await response.json()) as { access_token: string; fhirUser?: string };
    const profile = tokens.fhirUser?.split('/').slice(-2).join('/');
    return new FhirApi(`${server.url}/fhir`, tokens.access_token, profile);
  }

  /** Any request; the caller checks the status. */
  async send<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const response = await fetch(`${this.baseUrl}/${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        'Content-Type': 'application/fhir+json',
        Accept: 'application/fhir+json',
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, etag: response.headers.get('ETag') };
  }

  /** A request that must succeed (2xx); its body. */
  async request<T = { id: string }>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await this.send<T>(method, path, body, headers);
    if (response.status < 200 || response.status > 299) {
      throw new Error(`${method} ${path} failed: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body;
  }
}

/** A Parameters resource of name/value pairs. */
export function parameters(...values: { name: string; [value: string]: unknown }[]): { resourceType: 'Parameters'; parameter: unknown[] } {
  return { resourceType: 'Parameters', parameter: values };
}
