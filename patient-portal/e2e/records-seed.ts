import type { Account, MedBuddyServer } from './support/medbuddy-server';
import { daysFromNow, type AdminFhir } from './directory-seed';

const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';
const RX_SYSTEM = 'https://medbuddy.dev/fhir/identifier/prescription';
const LOINC = 'http://loinc.org';

/** A signed-in account's FHIR client (`POST /auth/login`), as a doctor's or patient's own app would be. */
export class AccountFhir {
  private constructor(
    private readonly baseUrl: string,
    readonly token: string,
    /** `Patient/<id>` or `Practitioner/<id>` (the token's fhirUser). */
    readonly profile: string,
  ) {}

  static async signIn(server: MedBuddyServer, account: Account): Promise<AccountFhir> {
    const response = await fetch(`${server.url}/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(account),
    });
    if (!response.ok) {
      throw new Error(`login failed: ${response.status} ${await response.text()}`);
    }
    const { access_token } = (await response.json()) as { access_token: string };
    const claims = JSON.parse(Buffer.from(access_token.split('.')[1], 'base64url').toString('utf8')) as { fhirUser: string };
    return new AccountFhir(`${server.url}/fhir`, access_token, claims.fhirUser);
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

/** What the doctor left in Maria's record after a finished consultation. */
export interface ConsultationRecord {
  readonly doctor: AccountFhir;
  readonly practitionerId: string;
  readonly roleId: string;
  readonly encounterId: string;
  readonly prescriptionIds: readonly string[];
  readonly followUpId: string;
  readonly slotIds: readonly string[];
}

/**
 * A finished video consultation between the patient and a newly registered, verified doctor,
 * with what the doctor does through the FHIR API: a signed SOAP note, a prescription of two
 * medicines and a follow-up recommended within the next two weeks (the doctor has free slots then).
 */
export async function seedFinishedConsultation(
  server: MedBuddyServer,
  admin: AdminFhir,
  patient: AccountFhir,
  doctorAccount: Account,
): Promise<ConsultationRecord> {
  const doctor = await AccountFhir.signIn(server, doctorAccount);
  const practitionerId = doctor.profile.replace(/^Practitioner\//, '');
  await admin.request('POST', `Practitioner/${practitionerId}/$verify`, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'status', valueCode: 'validated' },
      { name: 'reason', valueString: 'Licence checked' },
    ],
  });
  const role = await admin.request('POST', 'PractitionerRole', {
    resourceType: 'PractitionerRole',
    meta: { profile: [`${EXT}medbuddy-practitioner-role`] },
    active: true,
    practitioner: { reference: doctor.profile },
    specialty: [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/specialty', code: 'cardiology', display: 'Cardiology' }] }],
    extension: [
      { url: `${EXT}consultation-fee`, valueMoney: { value: 40, currency: 'EUR' } },
      { url: `${EXT}years-of-experience`, valueInteger: 9 },
      { url: `${EXT}consultation-language`, valueCode: 'en' },
      { url: `${EXT}timezone`, valueCode: 'Europe/Berlin' },
    ],
  });
  const schedule = await admin.request('POST', 'Schedule', {
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `PractitionerRole/${role.id}` }, { reference: doctor.profile }],
  });
  // A slot starting in ten minutes (inside the check-in window) for the consultation, later ones for the follow-up.
  const soon = new Date(Date.now() + 10 * 60_000);
  soon.setUTCSeconds(0, 0);
  const [consultationSlot, ...slotIds] = await createSlots(admin, schedule.id, [
    soon,
    daysFromNow(5, 9),
    daysFromNow(5, 9, 20),
    daysFromNow(6, 15),
  ]);

  // The consultation as it really happens: the patient books and checks in, the doctor admits and ends it.
  const appointment = await patient.request('POST', 'Appointment/$book', {
    resourceType: 'Parameters',
    parameter: [
      { name: 'slot', valueString: `Slot/${consultationSlot}` },
      { name: 'reason', valueString: 'High blood pressure' },
    ],
  });
  const encounter = await patient.request('POST', `Appointment/${appointment.id}/$check-in`, { resourceType: 'Parameters' });
  await doctor.request('POST', `Encounter/${encounter.id}/$admit`, { resourceType: 'Parameters' });
  const visitStart = new Date();

  // The doctor's own actions: the note (signed, so shared), the prescription, the follow-up.
  const note = await doctor.request('POST', 'Composition', {
    resourceType: 'Composition',
    status: 'preliminary',
    type: { coding: [{ system: LOINC, code: '11488-4', display: 'Consult note' }] },
    subject: { reference: patient.profile },
    encounter: { reference: `Encounter/${encounter.id}` },
    date: visitStart.toISOString(),
    author: [{ reference: doctor.profile }],
    title: 'Consultation note',
    section: [
      ['Subjective', '61150-9', 'Headaches in the morning for two weeks.'],
      ['Objective', '61149-1', 'Blood pressure 150/95 at home.'],
      ['Assessment', '51848-0', 'Hypertension, stage 1.'],
      ['Plan', '18776-5', 'Amlodipine daily; check again in two weeks.'],
    ].map(([title, code, text]) => ({
      title,
      code: { coding: [{ system: LOINC, code }] },
      text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>` },
    })),
  });
  await doctor.request('POST', `Composition/${note.id}/$sign`, { resourceType: 'Parameters' });
  const prescriptionIds: string[] = [];
  for (const [code, display, dosage] of [
    ['197361', 'Amlodipine 5 MG Oral Tablet', 'One tablet every morning'],
    ['860975', '24 HR Metformin hydrochloride 500 MG Extended Release Oral Tablet', 'Twice daily with meals'],
  ]) {
    const item = await doctor.request('POST', 'MedicationRequest', {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      groupIdentifier: { system: RX_SYSTEM, value: `RX-${encounter.id}` },
      medicationCodeableConcept: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code, display }] },
      subject: { reference: patient.profile },
      encounter: { reference: `Encounter/${encounter.id}` },
      authoredOn: new Date(visitStart.getTime() + 1000).toISOString(),
      requester: { reference: doctor.profile },
      dosageInstruction: [{ text: dosage }],
      dispenseRequest: { numberOfRepeatsAllowed: 2, quantity: { value: 30, unit: 'tablet' } },
    });
    prescriptionIds.push(item.id);
  }
  await doctor.request('POST', `Encounter/${encounter.id}/$end`, { resourceType: 'Parameters' });
  const followUp = await doctor.request('POST', 'ServiceRequest', {
    resourceType: 'ServiceRequest',
    meta: { profile: [`${EXT}medbuddy-follow-up`] },
    status: 'active',
    intent: 'proposal',
    code: { coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/consultation-type', code: 'follow-up' }] },
    subject: { reference: patient.profile },
    encounter: { reference: `Encounter/${encounter.id}` },
    requester: { reference: doctor.profile },
    occurrencePeriod: { start: daysFromNow(1, 0).toISOString(), end: daysFromNow(14, 0).toISOString() },
    patientInstruction: 'Check your blood pressure with me after two weeks of amlodipine.',
  });
  return {
    doctor,
    practitionerId,
    roleId: role.id,
    encounterId: encounter.id,
    prescriptionIds,
    followUpId: followUp.id,
    slotIds,
  };
}

async function createSlots(admin: AdminFhir, scheduleId: string, starts: readonly Date[]): Promise<string[]> {
  const ids: string[] = [];
  for (const start of starts) {
    const slot = await admin.request('POST', 'Slot', {
      resourceType: 'Slot',
      schedule: { reference: `Schedule/${scheduleId}` },
      status: 'free',
      start: start.toISOString(),
      end: new Date(start.getTime() + 20 * 60_000).toISOString(),
    });
    ids.push(slot.id);
  }
  return ids;
}
