import type { Bundle, Encounter, PractitionerRole, QuestionnaireResponse } from '@medplum/fhirtypes';
import { consultation, createAs } from '../setup/consultation';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * Reviews (issue 7): a QuestionnaireResponse to the published consultation-review Questionnaire
 * (profiles/), only after a finished Encounter, one per encounter, edited only by its author;
 * the doctor's PractitionerRole carries the average rating and review count (the `rating` and
 * `review-count` search parameters of profiles/), updated in the same transaction.
 */
const FHIR_JSON = 'application/fhir+json';
const AVERAGE = 'https://medbuddy.dev/fhir/StructureDefinition/average-rating';
const COUNT = 'https://medbuddy.dev/fhir/StructureDefinition/review-count';
let server: TestServer;
let patient: Actor;
let otherPatient: Actor;
let doctor: Actor;
let rival: Actor;
let role: PractitionerRole;
let rivalRole: PractitionerRole;

function review(author: Actor, encounter: Encounter, roleId: string, rating: number, comment?: string): QuestionnaireResponse {
  return {
    resourceType: 'QuestionnaireResponse',
    questionnaire: 'https://medbuddy.dev/fhir/Questionnaire/consultation-review',
    status: 'completed',
    subject: { reference: `PractitionerRole/${roleId}` },
    encounter: { reference: `Encounter/${encounter.id}` },
    authored: '2026-12-20T10:00:00Z',
    author: { reference: author.profile },
    item: [
      {
        linkId: 'rating',
        answer: [{ valueCoding: { system: 'https://medbuddy.dev/fhir/CodeSystem/review-rating', code: String(rating) } }],
      },
      ...(comment ? [{ linkId: 'comment', answer: [{ valueString: comment }] }] : []),
    ],
  };
}

const post = (actor: Actor, body: QuestionnaireResponse) =>
  actor.agent.post('/fhir/QuestionnaireResponse').set('Content-Type', FHIR_JSON).send(JSON.stringify(body));

async function aggregate(roleId: string): Promise<[number | undefined, number | undefined]> {
  const stored = JSON.parse((await server.anonymous().get(`/fhir/PractitionerRole/${roleId}`).expect(200)).text) as PractitionerRole;
  const ext = (url: string) => stored.extension?.find((e) => e.url === url);
  return [ext(AVERAGE)?.valueDecimal, ext(COUNT)?.valueUnsignedInt];
}

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  otherPatient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  rival = await server.actAsDoctor();
  role = await createAs(server.request, { resourceType: 'PractitionerRole', active: true, practitioner: { reference: doctor.profile } });
  rivalRole = await createAs(server.request, {
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: rival.profile },
  });
}, 180_000);
afterAll(() => server.close(), 60_000);

test('no review before the consultation is finished, of another doctor, or of someone else’s consultation', async () => {
  const { encounter: ongoing } = await consultation(server, patient.profile as string, doctor.profile as string, 'in-progress');
  expectOutcome(await post(patient, review(patient, ongoing, role.id as string, 5)), 422, 'business-rule');
  const { encounter: finished } = await consultation(server, patient.profile as string, doctor.profile as string, 'finished');
  expectOutcome(await post(patient, review(patient, finished, rivalRole.id as string, 1)), 422, 'business-rule');
  expectOutcome(await post(otherPatient, review(otherPatient, finished, role.id as string, 1)), 422, 'business-rule');
  expectOutcome(await post(doctor, review(patient, finished, role.id as string, 5)), 403, 'forbidden');
  expectOutcome(await post(patient, review(patient, finished, role.id as string, 7)), 400, 'code-invalid');
});

test('one review per finished consultation; the rating and count follow every change; only the author edits', async () => {
  const first = (await consultation(server, patient.profile as string, doctor.profile as string, 'finished')).encounter;
  const second = (await consultation(server, otherPatient.profile as string, doctor.profile as string, 'finished')).encounter;
  const mine = await createAs(patient.agent, review(patient, first, role.id as string, 5, 'Very clear'));
  expect(await aggregate(role.id as string)).toEqual([5, 1]);
  expectOutcome(await post(patient, review(patient, first, role.id as string, 4)), 409, 'conflict');
  const theirs = await createAs(otherPatient.agent, review(otherPatient, second, role.id as string, 2));
  expect(await aggregate(role.id as string)).toEqual([3.5, 2]);

  const put = (actor: Actor, body: QuestionnaireResponse) =>
    actor.agent.put(`/fhir/QuestionnaireResponse/${body.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
  // The patient cannot see the other review, so this PUT is a create of a review of someone else's consultation.
  expectOutcome(await put(patient, { ...review(patient, second, role.id as string, 5), id: theirs.id }), 422, 'business-rule');
  expect(await aggregate(role.id as string)).toEqual([3.5, 2]);
  await put(otherPatient, { ...review(otherPatient, second, role.id as string, 4), id: theirs.id }).expect(200);
  expect(await aggregate(role.id as string)).toEqual([4.5, 2]);
  await patient.agent.delete(`/fhir/QuestionnaireResponse/${mine.id}`).expect(204);
  expect(await aggregate(role.id as string)).toEqual([4, 1]);
});

test('a doctor cannot give themselves a rating: the aggregate extensions are the server’s', async () => {
  const forged = [
    { url: AVERAGE, valueDecimal: 5 },
    { url: COUNT, valueUnsignedInt: 999 },
  ];
  const create = await doctor.agent
    .post('/fhir/PractitionerRole')
    .set('Content-Type', FHIR_JSON)
    .send(
      JSON.stringify({ resourceType: 'PractitionerRole', active: true, practitioner: { reference: doctor.profile }, extension: forged }),
    );
  expectOutcome(create, 422, 'business-rule');

  const mine = await createAs<PractitionerRole>(doctor.agent, {
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: doctor.profile },
  });
  const put = (body: PractitionerRole) =>
    doctor.agent.put(`/fhir/PractitionerRole/${body.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(body));
  expectOutcome(await put({ ...mine, extension: forged }), 422, 'business-rule');
  expect(await aggregate(mine.id as string)).toEqual([undefined, undefined]);
  // An edit that leaves the rating as it is (here: none) goes through.
  await put({ ...mine, active: false }).expect(200);
});

test('the rating drives discovery sorting (rating search parameter from profiles/)', async () => {
  const { encounter } = await consultation(server, patient.profile as string, rival.profile as string, 'finished');
  await createAs(patient.agent, review(patient, encounter, rivalRole.id as string, 1));
  const res = await server.anonymous().get('/fhir/PractitionerRole?_sort=-rating&rating=ge1').expect(200);
  const ids = ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => e.resource?.id);
  expect(ids).toEqual([role.id, rivalRole.id]);
});
