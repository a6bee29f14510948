import type { Composition, Encounter, OperationOutcome, Parameters } from '@medplum/fhirtypes';
import { consultation, createAs, soapDraft } from '../setup/consultation';
import { makePatient } from '../setup/factories';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * `$validate` with `mode` (resource-operation-validate.html): would this create, update or
 * delete be accepted, by the rules the write itself meets, for this caller? Nothing is stored.
 */
const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
let patient: Actor;
let doctor: Actor;
let encounter: Encounter;

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  ({ encounter } = await consultation(server, patient.profile as string, doctor.profile as string));
}, 180_000);
afterAll(() => server.close(), 60_000);

const draft = () => soapDraft(patient.profile as string, `Encounter/${encounter.id}`, doctor.profile as string);

const post = (actor: Actor, path: string, body: unknown) =>
  actor.agent
    .post(`/fhir/${path}`)
    .set('Content-Type', FHIR_JSON)
    .send(body === undefined ? '' : JSON.stringify(body));

async function validate(actor: Actor, path: string, body: unknown): Promise<OperationOutcome> {
  const res = await post(actor, path, body);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as OperationOutcome;
}

const withMode = (mode: string, resource?: unknown): Parameters => ({
  resourceType: 'Parameters',
  parameter: [{ name: 'mode', valueCode: mode }, ...(resource ? [{ name: 'resource', resource: resource as Composition }] : [])],
});
const severities = (outcome: OperationOutcome) => outcome.issue?.map((i) => `${i.severity} ${i.code}`);

async function signedNote(): Promise<Composition> {
  const note = await createAs(doctor.agent, draft());
  const res = await post(doctor, `Composition/${note.id}/$sign`, {}).expect(200);
  return JSON.parse(res.text) as Composition;
}

describe('mode=delete', () => {
  test('a signed note would not be deleted (business rule); a draft would, and stays', async () => {
    const signed = await signedNote();
    const refused = await validate(doctor, `Composition/${signed.id}/$validate`, withMode('delete'));
    expect(severities(refused)).toEqual(['error business-rule']);
    const note = await createAs(doctor.agent, draft());
    expect(severities(await validate(doctor, `Composition/${note.id}/$validate?mode=delete`, undefined))).toEqual([
      'information informational',
    ]);
    await doctor.agent.get(`/fhir/Composition/${note.id}`).expect(200);
  });

  test('needs the instance: at type level it is a 400', async () => {
    expectOutcome(await post(doctor, 'Composition/$validate', withMode('delete')), 400, 'invalid');
  });
});

describe('mode=update and mode=create', () => {
  test('a silent change to a signed note would be refused; an amendment with a reason would not', async () => {
    const signed = await signedNote();
    const changed = await validate(
      doctor,
      `Composition/${signed.id}/$validate`,
      withMode('update', { ...signed, title: 'silently changed' }),
    );
    expect(severities(changed)).toEqual(['error business-rule']);
    const amended = {
      ...signed,
      status: 'amended',
      extension: [{ url: 'https://medbuddy.dev/fhir/StructureDefinition/amendment-reason', valueString: 'Dosage corrected' }],
    };
    expect(severities(await validate(doctor, `Composition/${signed.id}/$validate`, withMode('update', amended)))).toEqual([
      'information informational',
    ]);
    const stored = JSON.parse((await doctor.agent.get(`/fhir/Composition/${signed.id}`).expect(200)).text) as Composition;
    expect(stored.status).toBe('final');
  });

  test('the same content is fine without a mode: only the content is checked', async () => {
    const signed = await signedNote();
    expect(severities(await validate(doctor, 'Composition/$validate', { ...signed, title: 'silently changed' }))).toEqual([
      'information informational',
    ]);
  });

  test("an update must name the resource it replaces: the resource's id, matching the instance", async () => {
    const note = await createAs(doctor.agent, draft());
    const { id: _id, ...withoutId } = note;
    expect(severities(await validate(doctor, 'Composition/$validate', withMode('update', withoutId)))).toEqual(['error invalid']);
    expect(severities(await validate(doctor, `Composition/${note.id}/$validate`, withMode('update', { ...note, id: 'other' })))).toEqual([
      'error invalid',
    ]);
    expect(severities(await validate(doctor, 'Composition/$validate', withMode('update', note)))).toEqual(['information informational']);
  });

  test('the caller counts: a patient would not be allowed to create an Encounter, a valid one by content', async () => {
    const own: Encounter = { ...encounter, id: undefined, meta: undefined, subject: { reference: patient.profile } };
    expect(severities(await validate(patient, 'Encounter/$validate', own))).toEqual(['information informational']);
    expect(severities(await validate(patient, 'Encounter/$validate', withMode('create', own)))).toEqual(['error forbidden']);
  });
});

describe('mode=profile and bad input', () => {
  test('mode=profile checks the profile named, and needs one', async () => {
    const profile = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-patient';
    const outcome = await validate(doctor, `Patient/$validate?mode=profile&profile=${encodeURIComponent(profile)}`, makePatient());
    expect(outcome.issue?.[0]?.severity).toBe('error');
    expectOutcome(await post(doctor, 'Patient/$validate?mode=profile', makePatient()), 400, 'invalid');
  });

  test('an unknown mode is a 400; without a resource only mode=delete runs', async () => {
    expectOutcome(await post(doctor, 'Patient/$validate?mode=destroy', makePatient()), 400, 'invalid');
    expectOutcome(await post(doctor, 'Composition/$validate', withMode('create')), 400, 'invalid');
  });
});
