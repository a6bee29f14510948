import type { Account, MedBuddyServer } from './support/medbuddy-server';

/** A signed-in account's FHIR client (`POST /auth/login`), to set up what a test needs through the real API. */
export class ApiClient {
  private constructor(
    private readonly baseUrl: string,
    readonly token: string,
    /** `Patient/<id>` or `Practitioner/<id>` (the token's fhirUser); none for an administrator. */
    readonly profile: string,
  ) {}

  static async signIn(server: MedBuddyServer, account: Account): Promise<ApiClient> {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(account),
    });
    if (!response.ok) {
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    }
    const { access_token } = (await response.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString('utf8')) as { fhirUser?: string };
    return new ApiClient(`${server.url}/fhir`, access_token, claims.fhirUser ?? '');
  }

  /** The FHIR response as it came (status and JSON body), for tests that expect a refusal. */
  async send(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${this.baseUrl}/${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
  }

  async request<T = { id: string }>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, body: answer } = await this.send(method, path, body);
    if (status >= 300) {
      throw new Error(`${method} ${path} failed: ${status} ${JSON.stringify(answer)}`);
    }
    return answer as T;
  }
}

const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';

/**
 * A finished consultation between a verified doctor and a patient, as it really happens:
 * the administrator verifies the doctor, the doctor opens a slot, the patient books and checks
 * in, the doctor admits and ends the visit. Returns the doctor's role and the encounter.
 */
export async function seedFinishedConsultation(
  admin: ApiClient,
  doctor: ApiClient,
  patient: ApiClient,
): Promise<{ roleId: string; encounterId: string }> {
  await admin.request('POST', `${doctor.profile}/$verify`, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'status', valueCode: 'validated' },
      { name: 'reason', valueString: 'Licence checked' },
    ],
  });
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
