import type { Account, MedBuddyServer } from './support/medbuddy-server';

const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';

/** A doctor for the public directory, written by the administrator through the FHIR API. */
export interface SeedDoctor {
  readonly given: string;
  readonly family: string;
  readonly specialty: { readonly code: string; readonly display: string };
  readonly languages: readonly string[];
  readonly fee: number;
  readonly years: number;
  readonly rating?: { readonly average: number; readonly count: number };
  readonly timeZone: string;
  readonly biography: string;
  readonly qualification: string;
  /** Start instants of free 20-minute slots. */
  readonly slots: readonly Date[];
  /** The Practitioner of a doctor account (verified already); a new one is created without it. */
  readonly practitionerId?: string;
}

export interface SeededDoctor {
  readonly practitionerId: string;
  readonly roleId: string;
  readonly slotIds: readonly string[];
}

/**
 * A FHIR client for the tests: `POST /auth/login` (the administrator unless another account
 * is given: a second patient, a doctor), then plain FHIR requests with the token.
 */
export class AdminFhir {
  private constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    /** `Patient/<id>` or `Practitioner/<id>` of the account, when it has one. */
    readonly profile: string | undefined,
  ) {}

  static async signIn(server: MedBuddyServer, account: Account = server.admin): Promise<AdminFhir> {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(account),
    });
    if (!response.ok) {
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    }
    const { access_token, fhirUser } = (await response.json()) as { access_token: string; fhirUser?: string };
    const profile = fhirUser ? /(Patient|Practitioner)\/[^/]+$/.exec(fhirUser)?.[0] : undefined;
    return new AdminFhir(`${server.url}/fhir`, access_token, profile);
  }

  /** A FHIR operation with a Parameters body (`Appointment/$book`, `Encounter/<id>/$admit`...). */
  operation<T = { id: string }>(path: string, parameter: Record<string, unknown>[] = []): Promise<T> {
    return this.request<T>('POST', path, { resourceType: 'Parameters', parameter });
  }

  async request<T = { id: string }>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${this.baseUrl}/${path}`, {
      method,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/fhir+json', Accept: 'application/fhir+json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`${method} ${path} failed: ${response.status} ${await response.text()}`);
    }
    return (await response.json()) as T;
  }

  /** A verified (active) Practitioner, its PractitionerRole with MedBuddy's extensions, a Schedule and free Slots. */
  async seedDoctor(doctor: SeedDoctor): Promise<SeededDoctor> {
    const practitioner = doctor.practitionerId
      ? { id: doctor.practitionerId }
      : await this.request('POST', 'Practitioner', {
          resourceType: 'Practitioner',
          active: true,
          name: [{ prefix: ['Dr.'], given: [doctor.given], family: doctor.family }],
          qualification: [{ code: { text: doctor.qualification }, period: { start: '2012-06-01' } }],
        });
    const role = await this.request('POST', 'PractitionerRole', {
      resourceType: 'PractitionerRole',
      meta: { profile: [`${EXT}medbuddy-practitioner-role`] },
      active: true,
      practitioner: { reference: `Practitioner/${practitioner.id}` },
      specialty: [
        {
          coding: [
            { system: 'https://medbuddy.dev/fhir/CodeSystem/specialty', code: doctor.specialty.code, display: doctor.specialty.display },
          ],
        },
      ],
      extension: [
        { url: `${EXT}consultation-fee`, valueMoney: { value: doctor.fee, currency: 'EUR' } },
        { url: `${EXT}years-of-experience`, valueInteger: doctor.years },
        ...doctor.languages.map((code) => ({ url: `${EXT}consultation-language`, valueCode: code })),
        ...(doctor.rating
          ? [
              { url: `${EXT}average-rating`, valueDecimal: doctor.rating.average },
              { url: `${EXT}review-count`, valueUnsignedInt: doctor.rating.count },
            ]
          : []),
        { url: `${EXT}timezone`, valueCode: doctor.timeZone },
        { url: `${EXT}biography`, valueMarkdown: doctor.biography },
      ],
    });
    const schedule = await this.request('POST', 'Schedule', {
      resourceType: 'Schedule',
      active: true,
      actor: [{ reference: `PractitionerRole/${role.id}` }, { reference: `Practitioner/${practitioner.id}` }],
    });
    const slotIds: string[] = [];
    for (const start of doctor.slots) {
      const slot = await this.request('POST', 'Slot', {
        resourceType: 'Slot',
        schedule: { reference: `Schedule/${schedule.id}` },
        status: 'free',
        start: start.toISOString(),
        end: new Date(start.getTime() + 20 * 60_000).toISOString(),
      });
      slotIds.push(slot.id);
    }
    return { practitionerId: practitioner.id, roleId: role.id, slotIds };
  }

  /** What another patient's booking does to a slot. */
  async markSlotBusy(slotId: string): Promise<void> {
    const slot = await this.request<Record<string, unknown>>('GET', `Slot/${slotId}`);
    await this.request('PUT', `Slot/${slotId}`, { ...slot, status: 'busy' });
  }
}

/** `days` from now at `hour`:`minute` UTC. */
export function daysFromNow(days: number, hour: number, minute = 0): Date {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + days);
  date.setUTCHours(hour, minute, 0, 0);
  return date;
}
