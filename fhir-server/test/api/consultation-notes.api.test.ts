import type { Bundle, Composition, Encounter, Provenance, Questionnaire } from '@medplum/fhirtypes';
import { consultation, createAs, soapDraft } from '../setup/consultation';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * SOAP consultation notes (issue 7): a Composition written by the treating doctor, saved as
 * drafts with optimistic locking (http.html#concurrency: a stale If-Match is 412), signed by
 * `$sign` (final, legal attester, Provenance), afterwards only amended (status amended, reason).
 */
const FHIR_JSON = 'application/fhir+json';
const AMENDMENT_REASON = 'https://medbuddy.dev/fhir/StructureDefinition/amendment-reason';
let server: TestServer;
let patient: Actor;
let doctor: Actor;
let colleague: Actor;
let stranger: Actor;
let encounter: Encounter;

const put = (actor: Actor, note: Composition, ifMatch?: string) => {
  const req = actor.agent.put(`/fhir/Composition/${note.id}`).set('Content-Type', FHIR_JSON);
  return (ifMatch ? req.set('If-Match', ifMatch) : req).send(JSON.stringify(note));
};
const sign = (actor: Actor, id: string) => actor.agent.post(`/fhir/Composition/${id}/$sign`).set('Content-Type', FHIR_JSON).send('{}');

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  colleague = await server.actAsDoctor();
  stranger = await server.actAsDoctor();
  ({ encounter } = await consultation(server, patient.profile as string, doctor.profile as string));
  // The colleague has a care relationship with the patient (their own consultation), but did not treat this one.
  await consultation(server, patient.profile as string, colleague.profile as string, 'finished');
}, 180_000);
afterAll(() => server.close(), 60_000);

const draftOf = (author: Actor) => soapDraft(patient.profile as string, `Encounter/${encounter.id}`, author.profile as string);

describe('drafts and auto-save', () => {
  test('the treating doctor saves drafts; a save with a stale If-Match is 412 and every version is kept', async () => {
    const draft = await createAs(doctor.agent, draftOf(doctor));
    const first = await put(doctor, { ...draft, title: 'Headache' }, 'W/"1"').expect(200);
    expect(first.headers.etag).toBe('W/"2"');
    // A second tab still holding version 1 saves: refused, never a silent overwrite.
    expectOutcome(await put(doctor, { ...draft, title: 'Stale' }, 'W/"1"'), 412, 'conflict');
    await put(doctor, { ...draft, title: 'Headache, two days' }, 'W/"2"').expect(200);
    const history = JSON.parse((await doctor.agent.get(`/fhir/Composition/${draft.id}/_history`).expect(200)).text) as Bundle;
    expect(history.entry?.map((e) => (e.resource as Composition).title)).toEqual(['Headache, two days', 'Headache', 'Consultation note']);
  });

  test('a new note must be a draft, conform to the SOAP profile and be by the caller', async () => {
    const post = (note: Composition) => doctor.agent.post('/fhir/Composition').set('Content-Type', FHIR_JSON).send(JSON.stringify(note));
    // Final without an attester breaks the profile (mb-note-1); with one, the rule: only $sign signs.
    expectOutcome(await post({ ...draftOf(doctor), status: 'final' }), 400, 'invariant');
    const selfAttested: Composition = {
      ...draftOf(doctor),
      status: 'final',
      attester: [{ mode: 'legal', party: { reference: doctor.profile } }],
    };
    expectOutcome(await post(selfAttested), 422, 'business-rule');
    const noSections = { ...draftOf(doctor), section: [] };
    expectOutcome(
      await doctor.agent.post('/fhir/Composition').set('Content-Type', FHIR_JSON).send(JSON.stringify(noSections)),
      400,
      'required',
    );
    const forColleague = { ...draftOf(doctor), author: [{ reference: colleague.profile }] };
    expectOutcome(
      await doctor.agent.post('/fhir/Composition').set('Content-Type', FHIR_JSON).send(JSON.stringify(forColleague)),
      403,
      'forbidden',
    );
  });

  test('only the treating doctor writes it: not the patient, not a colleague, not a stranger', async () => {
    const body = (actor: Actor) => JSON.stringify(draftOf(actor));
    expectOutcome(await patient.agent.post('/fhir/Composition').set('Content-Type', FHIR_JSON).send(body(doctor)), 403, 'forbidden');
    expectOutcome(await colleague.agent.post('/fhir/Composition').set('Content-Type', FHIR_JSON).send(body(colleague)), 403, 'forbidden');
    expectOutcome(await stranger.agent.post('/fhir/Composition').set('Content-Type', FHIR_JSON).send(body(stranger)), 403, 'forbidden');
    const draft = await createAs(doctor.agent, draftOf(doctor));
    expectOutcome(await put(colleague, { ...draft, title: 'Changed by a colleague' }), 403, 'forbidden');
    expectOutcome(await stranger.agent.get(`/fhir/Composition/${draft.id}`), 404, 'not-found');
  });
});

describe('signing and amendment', () => {
  test('$sign makes the draft final with a legal attester and a Provenance carrying the signature', async () => {
    const draft = await createAs(doctor.agent, draftOf(doctor));
    expectOutcome(
      await put(doctor, { ...draft, status: 'final', attester: [{ mode: 'legal', party: { reference: doctor.profile } }] }),
      422,
      'business-rule',
    );
    expectOutcome(await sign(colleague, draft.id as string), 403, 'forbidden');
    expectOutcome(await doctor.agent.get(`/fhir/Composition/${draft.id}/$sign`), 405, 'not-supported');
    const res = await sign(doctor, draft.id as string).expect(200);
    const signed = JSON.parse(res.text) as Composition;
    expect(res.headers.etag).toBe('W/"2"');
    expect(signed.status).toBe('final');
    expect(signed.attester).toEqual([{ mode: 'legal', time: expect.any(String), party: { reference: doctor.profile } }]);
    expectOutcome(await sign(doctor, draft.id as string), 422, 'business-rule');

    // The patient reads the signed note and its Provenance (both in their compartment).
    const provenances = JSON.parse((await patient.agent.get(`/fhir/Provenance?patient=${patient.profile}`).expect(200)).text) as Bundle;
    const provenance = provenances.entry
      ?.map((e) => e.resource as Provenance)
      .find((p) => p.target[0].reference === `Composition/${draft.id}/_history/2`);
    expect(provenance?.signature?.[0]).toMatchObject({ who: { reference: doctor.profile }, type: [{ code: '1.2.840.10065.1.12.1.1' }] });
    await patient.agent.get(`/fhir/Composition/${draft.id}`).expect(200);
  });

  test('after signing only an amendment with a reason is accepted, and a signed note is never deleted', async () => {
    const draft = await createAs(doctor.agent, draftOf(doctor));
    const signed = JSON.parse((await sign(doctor, draft.id as string).expect(200)).text) as Composition;
    expectOutcome(await put(doctor, { ...signed, status: 'preliminary' }), 422, 'business-rule');
    expectOutcome(await put(doctor, { ...signed, title: 'silently changed' }), 422, 'business-rule');
    expectOutcome(await put(doctor, { ...signed, status: 'amended' }), 422, 'business-rule');
    const amended = { ...signed, status: 'amended' as const, extension: [{ url: AMENDMENT_REASON, valueString: 'Dosage corrected' }] };
    await put(doctor, amended, 'W/"2"').expect(200);
    expectOutcome(await put(colleague, { ...amended, title: 'by a colleague' }), 403, 'forbidden');
    expectOutcome(await doctor.agent.delete(`/fhir/Composition/${draft.id}`), 422, 'business-rule');
    const versions = JSON.parse((await doctor.agent.get(`/fhir/Composition/${draft.id}/_history`).expect(200)).text) as Bundle;
    expect(versions.entry?.map((e) => (e.resource as Composition).status)).toEqual(['amended', 'final', 'preliminary']);
  });

  test('$sign with a stale If-Match is 412: the doctor signs the text they saw', async () => {
    const draft = await createAs(doctor.agent, draftOf(doctor));
    await put(doctor, { ...draft, title: 'saved from another tab' }).expect(200);
    const res = await doctor.agent
      .post(`/fhir/Composition/${draft.id}/$sign`)
      .set('If-Match', 'W/"1"')
      .set('Content-Type', FHIR_JSON)
      .send('{}');
    expectOutcome(res, 412, 'conflict');
  });
});

test('specialty templates prefill the four SOAP sections', async () => {
  const res = await doctor.agent
    .get('/fhir/Questionnaire?url=https://medbuddy.dev/fhir/Questionnaire/soap-template-primary-care')
    .expect(200);
  const template = (JSON.parse(res.text) as Bundle).entry?.[0]?.resource as Questionnaire;
  expect(template.item?.map((i) => i.code?.[0]?.code)).toEqual(['61150-9', '61149-1', '51848-0', '18776-5']);
  expect(template.item?.every((i) => (i.initial?.[0]?.valueString ?? '').length > 0)).toBe(true);
});
