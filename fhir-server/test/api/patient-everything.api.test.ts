import type { Bundle, Condition, Observation, Resource } from '@medplum/fhirtypes';
import { createAs } from '../setup/consultation';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * `Patient/{id}/$everything` (patient-operation-everything.html) with `_since`, `_type` and
 * `_count` paging, and the medical history timeline (`_sort=-timeline-date`, a search parameter
 * of profiles/): complete for the patient, isolated from everyone else's compartment.
 */
const TIMELINE = 'Encounter,Composition,MedicationRequest,DocumentReference,Condition,Appointment';
let server: TestServer;
let patient: Actor;
let other: Actor;
let doctor: Actor;
let stranger: Actor;
const mine: string[] = [];
const theirs: string[] = [];

const refs = (bundle: Bundle) => (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

function history(subject: string, doctorRef: string): Resource[] {
  const patientRef = { reference: subject };
  return [
    {
      resourceType: 'Appointment',
      status: 'fulfilled',
      start: '2026-10-01T09:00:00Z',
      end: '2026-10-01T09:20:00Z',
      participant: [
        { actor: patientRef, status: 'accepted' },
        { actor: { reference: doctorRef }, status: 'accepted' },
      ],
    },
    {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
      subject: patientRef,
      participant: [{ individual: { reference: doctorRef } }],
      period: { start: '2026-10-01T09:01:00Z', end: '2026-10-01T09:19:00Z' },
    },
    { resourceType: 'Condition', subject: patientRef, code: { text: 'Hypertension' }, recordedDate: '2026-10-02T10:00:00Z' },
    {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject: patientRef,
      medicationCodeableConcept: { text: 'Amlodipine' },
      authoredOn: '2026-10-03T10:00:00Z',
    },
    {
      resourceType: 'DocumentReference',
      status: 'current',
      subject: patientRef,
      date: '2026-10-04T10:00:00Z',
      content: [{ attachment: { contentType: 'application/pdf', url: 'Binary/lab' } }],
    },
    {
      resourceType: 'Composition',
      status: 'final',
      type: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] },
      subject: patientRef,
      date: '2026-10-05T10:00:00Z',
      author: [{ reference: doctorRef }],
      title: 'Consultation note',
    },
    { resourceType: 'Observation', status: 'final', code: { text: 'Weight' }, subject: patientRef },
  ] as Resource[];
}

async function everything(actor: Actor, query = ''): Promise<Bundle> {
  return JSON.parse((await actor.agent.get(`/fhir/${patient.profile}/$everything${query}`).expect(200)).text);
}

/** Follows `next` links to the end; returns every entry reference in order. */
async function allPages(actor: Actor, first: string): Promise<string[]> {
  const seen: string[] = [];
  let url: string | undefined = first;
  while (url) {
    const bundle = JSON.parse((await actor.agent.get(url).expect(200)).text) as Bundle;
    expect((bundle.entry ?? []).length).toBeLessThanOrEqual(3);
    seen.push(...refs(bundle));
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    url = next ? new URL(next).pathname + new URL(next).search : undefined;
  }
  return seen;
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  other = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  stranger = await server.actAsDoctor();
  mine.push(patient.profile as string);
  for (const resource of history(patient.profile as string, doctor.profile as string)) {
    const stored = await createAs(server.request, resource);
    mine.push(`${stored.resourceType}/${stored.id}`);
  }
  theirs.push(other.profile as string);
  for (const resource of history(other.profile as string, stranger.profile as string)) {
    const stored = await createAs(server.request, resource);
    theirs.push(`${stored.resourceType}/${stored.id}`);
  }
}, 180_000);
afterAll(() => server.close(), 60_000);

describe('completeness and compartment isolation', () => {
  test('the patient gets themselves and every resource of their compartment, and nothing of anyone else', async () => {
    const bundle = await everything(patient, '?_count=100');
    expect(refs(bundle).sort()).toEqual([...mine].sort());
  });

  test('another patient, and a doctor without a care relationship, get 404; the treating doctor gets it all', async () => {
    expectOutcome(await other.agent.get(`/fhir/${patient.profile}/$everything`), 404, 'not-found');
    expectOutcome(await stranger.agent.get(`/fhir/${patient.profile}/$everything`), 404, 'not-found');
    const seenByDoctor = JSON.parse((await doctor.agent.get(`/fhir/${patient.profile}/$everything?_count=100`).expect(200)).text) as Bundle;
    expect(refs(seenByDoctor).sort()).toEqual([...mine].sort());
    const theirsSeen = JSON.parse((await stranger.agent.get(`/fhir/${other.profile}/$everything?_count=100`).expect(200)).text) as Bundle;
    expect(refs(theirsSeen).sort()).toEqual([...theirs].sort());
  });
});

test('the access log (AuditEvent, in the compartment too) comes only when _type asks for it', async () => {
  const get = async (query: string) =>
    JSON.parse((await server.request.get(`/fhir/${patient.profile}/$everything${query}`).expect(200)).text) as Bundle;
  expect(refs(await get('?_count=100')).sort()).toEqual([...mine].sort());
  // The reads above left AuditEvents naming the patient; they are stored within ~100 ms.
  let audit: Bundle = await get('?_type=AuditEvent&_count=1');
  for (let attempt = 0; attempt < 40 && !audit.entry?.length; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    audit = await get('?_type=AuditEvent&_count=1');
  }
  expect(refs(audit)[0]).toMatch(/^AuditEvent\//);
});

describe('_count paging, _type and _since', () => {
  test('pages of _count follow each other without repeats or gaps; _type stays on the links', async () => {
    expect((await allPages(patient, `/fhir/${patient.profile}/$everything?_count=3`)).sort()).toEqual([...mine].sort());
    const typed = await allPages(patient, `/fhir/${patient.profile}/$everything?_count=1&_type=Condition,Encounter`);
    expect(typed.map((r) => r.split('/')[0]).sort()).toEqual(['Condition', 'Encounter']);
  });

  test('_since keeps what changed at or after the instant', async () => {
    const since = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const late = await createAs<Condition>(server.request, {
      resourceType: 'Condition',
      subject: { reference: patient.profile },
      code: { text: 'Later' },
      recordedDate: '2026-09-01',
    });
    const bundle = await everything(patient, `?_since=${encodeURIComponent(since)}`);
    expect(refs(bundle)).toEqual([`Condition/${late.id}`]);
    mine.push(`Condition/${late.id}`);
  });

  test('POST with a Parameters body takes the same parameters as the query', async () => {
    const post = (parameter: unknown[]) =>
      patient.agent
        .post(`/fhir/${patient.profile}/$everything`)
        .set('Content-Type', 'application/fhir+json')
        .send(JSON.stringify({ resourceType: 'Parameters', parameter }));
    const typed = await post([{ name: '_type', valueCode: 'Condition' }]);
    expect(typed.status).toBe(200);
    const types = new Set(refs(JSON.parse(typed.text) as Bundle).map((ref) => ref.split('/')[0]));
    expect([...types]).toEqual(['Condition']);
    expectOutcome(await post([{ name: 'everything', valueBoolean: true }]), 400, 'invalid');
  });

  test('bad input: _since that is not an instant, _type outside the compartment', async () => {
    expectOutcome(await patient.agent.get(`/fhir/${patient.profile}/$everything?_since=yesterday`), 400, 'invalid');
    expectOutcome(await patient.agent.get(`/fhir/${patient.profile}/$everything?_type=Practitioner`), 400, 'invalid');
  });
});

describe('start and end: care dates, not record dates', () => {
  const window = '?start=2026-10-03&end=2026-10-04';
  // The patient and the Observation of history() without an effective time.
  const undated = () => [patient.profile as string, ...mine.filter((ref) => ref.startsWith('Observation/'))];

  test('a type with a care date keeps what falls in the window; what has none stays in', async () => {
    const measured = await createAs<Observation>(server.request, {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Blood pressure' },
      subject: { reference: patient.profile },
      effectiveDateTime: '2026-10-03T12:00:00Z',
    });
    const late = await createAs<Observation>(server.request, {
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'Pulse' },
      subject: { reference: patient.profile },
      effectivePeriod: { start: '2026-10-06T08:00:00Z', end: '2026-10-06T09:00:00Z' },
    });
    const inWindow = refs(await everything(patient, `${window}&_count=100`));
    const byType = (type: string) => inWindow.filter((ref) => ref.startsWith(`${type}/`));
    expect(byType('MedicationRequest')).toHaveLength(1); // authored 10-03
    expect(byType('DocumentReference')).toHaveLength(1); // dated 10-04
    expect(inWindow).toEqual(expect.arrayContaining([...undated(), `Observation/${measured.id}`]));
    for (const type of ['Appointment', 'Encounter', 'Condition', 'Composition']) {
      expect(byType(type)).toEqual([]);
    }
    expect(inWindow).not.toContain(`Observation/${late.id}`);
  });

  test('start alone and end alone are open windows', async () => {
    const from = refs(await everything(patient, '?start=2026-10-05&_count=100')).filter((ref) => !undated().includes(ref));
    expect(from.map((ref) => ref.split('/')[0]).sort()).toEqual(['Composition', 'Observation']); // 10-05, and the pulse of 10-06
    const until = refs(await everything(patient, '?end=2026-10-01&_count=100')).filter((ref) => !undated().includes(ref));
    expect(new Set(until.map((ref) => ref.split('/')[0]))).toEqual(new Set(['Appointment', 'Encounter', 'Condition'])); // 10-01 and 09-01
  });

  test('the window stays on the paging links and in the self link', async () => {
    const first = await everything(patient, `${window}&_count=1`);
    expect(new URL(first.link?.find((l) => l.relation === 'self')?.url as string).searchParams.get('start')).toBe('2026-10-03');
    const paged = await allPages(patient, `/fhir/${patient.profile}/$everything${window}&_count=1`);
    expect(paged.sort()).toEqual(refs(await everything(patient, `${window}&_count=100`)).sort());
  });

  test('bad input: a start that is not a date, or given twice, is a 400', async () => {
    expectOutcome(await patient.agent.get(`/fhir/${patient.profile}/$everything?start=yesterday`), 400, 'invalid');
    expectOutcome(await patient.agent.get(`/fhir/${patient.profile}/$everything?start=2026-01-01&start=2026-02-01`), 400, 'invalid');
  });
});

test('the timeline: the history types sorted by their own dates, newest first', async () => {
  const bundle = await everything(patient, `?_type=${TIMELINE}&_sort=-timeline-date&_count=20`);
  const types = refs(bundle).map((r) => r.split('/')[0]);
  // Composition 10-05, DocumentReference 10-04, MedicationRequest 10-03, Condition 10-02, Encounter and Appointment 10-01, Condition 09-01.
  expect(types.slice(0, 4)).toEqual(['Composition', 'DocumentReference', 'MedicationRequest', 'Condition']);
  expect(types.slice(4, 6).sort()).toEqual(['Appointment', 'Encounter']);
  expect(types).not.toContain('Observation');
});
