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
    /** The user's own resource (`Patient/1`, `Practitioner/2`); empty for administrators. */
    readonly profile: string,
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
    const profile = tokens.fhirUser?.split('/').slice(-2).join('/') ?? '';
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

/** The administrator verifies the doctor (`Practitioner/<id>/$verify`), as the verification queue does. */
export async function verifyDoctor(admin: FhirApi, practitioner: string): Promise<void> {
  await admin.request(
    'POST',
    `${practitioner}/$verify`,
    parameters({ name: 'status', valueCode: 'validated' }, { name: 'reason', valueString: 'Licence checked' }),
  );
}

/** A doctor registered, signed in, and verified by the administrator: ready to publish availability. */
export async function verifiedDoctor(
  server: MedBuddyServer,
  name: { givenName: string; familyName: string },
): Promise<{ account: Account; api: FhirApi }> {
  const account = await server.registerVerified({ role: 'doctor', ...name });
  const api = await FhirApi.signIn(server, account);
  await verifyDoctor(await FhirApi.signIn(server, server.admin), api.profile);
  return { account, api };
}

const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';

/**
 * A finished consultation between a verified doctor and a patient, as it really happens:
 * the administrator verifies the doctor, the doctor opens a slot, the patient books and checks
 * in, the doctor admits and ends the visit. Returns the doctor's role and the encounter.
 */
export async function seedFinishedConsultation(
  admin: FhirApi,
  doctor: FhirApi,
  patient: FhirApi,
): Promise<{ roleId: string; encounterId: string }> {
  await verifyDoctor(admin, doctor.profile);
  const role = await doctor.request('POST', 'PractitionerRole', {
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: doctor.profile },
    specialty: [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/specialty', code: 'cardiology', display: 'Cardiology' }] }],
    extension: [
      { url: `${EXT}consultation-fee`, valueMoney: { value: 40, currency: 'EUR' } },
      { url: `${EXT}consultation-language`, valueCode: 'en' },
    ],
  });
  const schedule = await doctor.request('POST', 'Schedule', {
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `PractitionerRole/${role.id}` }, { reference: doctor.profile }],
  });
  // Ten minutes from now: inside the check-in window.
  const start = new Date(Date.now() + 10 * 60_000);
  start.setUTCSeconds(0, 0);
  const slot = await doctor.request('POST', 'Slot', {
    resourceType: 'Slot',
    schedule: { reference: `Schedule/${schedule.id}` },
    status: 'free',
    start: start.toISOString(),
    end: new Date(start.getTime() + 20 * 60_000).toISOString(),
  });
  const appointment = await patient.request('POST', 'Appointment/$book', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'slot', valueString: `Slot/${slot.id}` },
      { name: 'reason', valueString: 'Chest pain when climbing stairs' },
    ],
  });
  const encounter = await patient.request('POST', `Appointment/${appointment.id}/$check-in`, { resourceType: 'Parameters' });
  await doctor.request('POST', `Encounter/${encounter.id}/$admit`, { resourceType: 'Parameters' });
  await doctor.request('POST', `Encounter/${encounter.id}/$end`, { resourceType: 'Parameters' });
  return { roleId: role.id, encounterId: encounter.id };
}
