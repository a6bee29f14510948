import type { Appointment, Bundle, Encounter, MedicationRequest, Observation } from '@medplum/fhirtypes';
import { consultation, createAs, soapDraft } from '../setup/consultation';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * `Encounter/{id}/$everything` (encounter-operation-everything.html): one consultation and
 * everything recorded in it, for whoever may read the encounter, and nothing of another.
 */
let server: TestServer;
let patient: Actor;
let other: Actor;
let doctor: Actor;
let stranger: Actor;
let appointment: Appointment;
let encounter: Encounter;
/** What refers to the encounter: the note, the prescription and the observation. */
const recorded: string[] = [];
/** What the other patient's consultation recorded. */
const elsewhere: string[] = [];

const refs = (bundle: Bundle, mode: 'match' | 'include') =>
  (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

async function everything(actor: Actor, query = ''): Promise<Bundle> {
  return JSON.parse((await actor.agent.get(`/fhir/Encounter/${encounter.id}/$everything${query}`).expect(200)).text) as Bundle;
}

async function record(patientRef: string, doctorRef: string, encounterRef: string): Promise<string[]> {
  const note = await createAs(server.request, soapDraft(patientRef, encounterRef, doctorRef));
  const prescription = await createAs<MedicationRequest>(server.request, {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    subject: { reference: patientRef },
    encounter: { reference: encounterRef },
    medicationCodeableConcept: { text: 'Amlodipine 5 mg' },
    requester: { reference: doctorRef },
  });
  const observation = await createAs<Observation>(server.request, {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'Blood pressure' },
    subject: { reference: patientRef },
    encounter: { reference: encounterRef },
  });
  return [`Composition/${note.id}`, `MedicationRequest/${prescription.id}`, `Observation/${observation.id}`];
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  other = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  stranger = await server.actAsDoctor();
  ({ appointment, encounter } = await consultation(server, patient.profile as string, doctor.profile as string));
  recorded.push(...(await record(patient.profile as string, doctor.profile as string, `Encounter/${encounter.id}`)));
  const theirs = await consultation(server, other.profile as string, stranger.profile as string);
  elsewhere.push(...(await record(other.profile as string, stranger.profile as string, `Encounter/${theirs.encounter.id}`)));
  // Another encounter of the same patient: not part of this one.
  const later = await consultation(server, patient.profile as string, doctor.profile as string);
  elsewhere.push(...(await record(patient.profile as string, doctor.profile as string, `Encounter/${later.encounter.id}`)));
}, 180_000);
afterAll(() => server.close(), 60_000);

test('the patient and the doctor get what the consultation recorded, with the encounter and what it names', async () => {
  for (const actor of [patient, doctor, { agent: server.request } as Actor]) {
    const bundle = await everything(actor);
    expect(bundle.type).toBe('searchset');
    expect(refs(bundle, 'match').sort()).toEqual([...recorded].sort());
    expect(refs(bundle, 'include')).toEqual(
      expect.arrayContaining([`Encounter/${encounter.id}`, patient.profile, doctor.profile, `Appointment/${appointment.id}`]),
    );
    for (const ref of elsewhere) {
      expect(refs(bundle, 'match')).not.toContain(ref);
    }
  }
});

test('another patient, and a doctor without a care relationship, get 404', async () => {
  expectOutcome(await other.agent.get(`/fhir/Encounter/${encounter.id}/$everything`), 404, 'not-found');
  expectOutcome(await stranger.agent.get(`/fhir/Encounter/${encounter.id}/$everything`), 404, 'not-found');
});

test('_type limits the matches; _count pages them, the encounter on the first page only', async () => {
  const typed = await everything(doctor, '?_type=Composition,MedicationRequest');
  expect(
    refs(typed, 'match')
      .map((ref) => ref.split('/')[0])
      .sort(),
  ).toEqual(['Composition', 'MedicationRequest']);
  const seen: string[] = [];
  let url: string | undefined = `/fhir/Encounter/${encounter.id}/$everything?_count=1`;
  let pages = 0;
  while (url) {
    const page = JSON.parse((await doctor.agent.get(url).expect(200)).text) as Bundle;
    expect(refs(page, 'include').includes(`Encounter/${encounter.id}`)).toBe(pages === 0);
    seen.push(...refs(page, 'match'));
    pages++;
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    url = next ? new URL(next).pathname + new URL(next).search : undefined;
  }
  expect(seen.sort()).toEqual([...recorded].sort());
});

test('bad input: a _type that never refers to an encounter, a _since that is not an instant', async () => {
  expectOutcome(await doctor.agent.get(`/fhir/Encounter/${encounter.id}/$everything?_type=Practitioner`), 400, 'invalid');
  expectOutcome(await doctor.agent.get(`/fhir/Encounter/${encounter.id}/$everything?_since=yesterday`), 400, 'invalid');
  expectOutcome(await doctor.agent.get('/fhir/Encounter/no-such-encounter/$everything'), 404, 'not-found');
});
