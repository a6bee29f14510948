import type { Bundle, List, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * Patient A can never see or change patient B's data by any route the server has
 * (SMART patient compartment: compartmentdefinition-patient.html; http.html for each route).
 */
const FHIR_JSON = 'application/fhir+json';
let server: TestServer;
let a: Actor;
let b: Actor;
let obsA: Observation;
let obsB: Observation;

async function createAs<T extends Resource>(agent: Actor['agent'], resource: T): Promise<T> {
  const res = await agent.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  return JSON.parse(res.text) as T;
}

const observation = (patient: string, text: string): Observation => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text },
  subject: { reference: patient },
});

const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);

beforeAll(async () => {
  server = await startTestServer();
  a = await server.actAsPatient();
  b = await server.actAsPatient();
  obsA = await createAs(a.agent, observation(a.profile as string, 'A weight'));
  obsB = await createAs(b.agent, observation(b.profile as string, 'B weight'));
  // A second version, so vread and instance history have something to leak.
  await b.agent
    .put(`/fhir/Observation/${obsB.id}`)
    .set('Content-Type', FHIR_JSON)
    .send(JSON.stringify({ ...obsB, code: { text: 'B weight v2' } }))
    .expect(200);
});
afterAll(() => server.close());

describe('patient A never reads patient B (SMART patient compartment)', () => {
  test('read and vread of B resources answer 404, as if absent', async () => {
    expectOutcome(await a.agent.get(`/fhir/Patient/${b.id}`), 404, 'not-found');
    expectOutcome(await a.agent.get(`/fhir/Observation/${obsB.id}`), 404, 'not-found');
    expectOutcome(await a.agent.get(`/fhir/Observation/${obsB.id}/_history/1`), 404, 'not-found');
    await a.agent.get(`/fhir/Observation/${obsA.id}`).expect(200);
    await a.agent.get(`/fhir/Patient/${a.id}`).expect(200);
  });

  test('history at instance, type and system level shows only A (http.html#history)', async () => {
    expectOutcome(await a.agent.get(`/fhir/Observation/${obsB.id}/_history`), 404, 'not-found');
    for (const path of ['/fhir/Observation/_history', '/fhir/_history', '/fhir/Patient/_history']) {
      const res = await a.agent.get(path).expect(200);
      const seen = ids(JSON.parse(res.text));
      expect(seen.length).toBeGreaterThan(0);
      expect(seen).not.toContain(`Observation/${obsB.id}`);
      expect(seen).not.toContain(`Patient/${b.id}`);
    }
  });

  test('search, with _id and with _revinclude/_include, returns only A (search.html#include)', async () => {
    const all = JSON.parse((await a.agent.get('/fhir/Observation').expect(200)).text) as Bundle;
    expect(ids(all)).toEqual([`Observation/${obsA.id}`]);
    const byId = JSON.parse((await a.agent.get(`/fhir/Observation?_id=${obsB.id}`).expect(200)).text) as Bundle;
    expect(ids(byId)).toEqual([]);
    const patients = JSON.parse((await a.agent.get(`/fhir/Patient?_revinclude=Observation:subject`).expect(200)).text) as Bundle;
    expect(ids(patients).sort()).toEqual([`Observation/${obsA.id}`, `Patient/${a.id}`].sort());
    const included = JSON.parse((await a.agent.get(`/fhir/Observation?_include=Observation:subject`).expect(200)).text) as Bundle;
    expect(ids(included)).not.toContain(`Patient/${b.id}`);
  });

  test('full-text search (_content) finds only A, whatever the words (search.html#content)', async () => {
    const found = async (path: string) => ids(JSON.parse((await a.agent.get(path).expect(200)).text) as Bundle);
    expect(await found('/fhir/Observation?_content=weight')).toEqual([`Observation/${obsA.id}`]);
    expect(await found('/fhir/Observation?_content=b weight')).toEqual([]);
    expect(await found('/fhir/Patient?_has:Observation:subject:_content=v2')).toEqual([]);
    expect(await found('/fhir/?_type=Observation,Patient&_content=weight')).toEqual([`Observation/${obsA.id}`]);
  });

  test('_include does not pull in B even when A data references B (search.html#include)', async () => {
    const mixed = await createAs(server.request, {
      ...observation(a.profile as string, 'A with B as performer'),
      performer: [{ reference: `Practitioner/unknown` }],
      hasMember: [{ reference: `Observation/${obsB.id}` }],
    });
    for (const include of ['Observation:has-member', '*', 'Observation:*', 'Observation:*:Observation']) {
      const res = await a.agent.get(`/fhir/Observation?_id=${mixed.id}&_include=${include}`).expect(200);
      expect(ids(JSON.parse(res.text)).filter((id) => id !== `Patient/${a.id}`)).toEqual([`Observation/${mixed.id}`]);
    }
    const revincluded = await a.agent.get(`/fhir/Patient?_revinclude=Observation:*`).expect(200);
    expect(ids(JSON.parse(revincluded.text)).sort()).toEqual(
      [`Observation/${mixed.id}`, `Observation/${obsA.id}`, `Patient/${a.id}`].sort(),
    );
  });

  test('batch entries are authorised one by one (http.html#transaction)', async () => {
    const res = await a.agent
      .post('/fhir')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { request: { method: 'GET', url: `Observation/${obsB.id}` } },
            { request: { method: 'GET', url: `Observation/${obsA.id}` } },
            { request: { method: 'GET', url: `Observation?_id=${obsB.id}` } },
            { request: { method: 'GET', url: `AuditEvent` } },
          ],
        }),
      )
      .expect(200);
    const bundle = JSON.parse(res.text) as Bundle;
    expect(bundle.entry?.map((e) => e.response?.status)).toEqual(['404 Not Found', '200 OK', '200 OK', '403 Forbidden']);
    expect(ids(bundle.entry?.[2].resource as Bundle)).toEqual([]);
  });
});

describe('patient A never changes patient B', () => {
  test('update, patch and delete of B resources are refused or see nothing', async () => {
    expectOutcome(
      await a.agent
        .put(`/fhir/Observation/${obsB.id}`)
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...obsB, subject: { reference: a.profile } })),
      403,
      'forbidden',
    );
    for (const patch of [
      { type: 'application/json-patch+json', body: [{ op: 'replace', path: '/status', value: 'cancelled' }] },
      {
        type: FHIR_JSON,
        body: {
          resourceType: 'Parameters',
          parameter: [
            {
              name: 'operation',
              part: [
                { name: 'type', valueCode: 'delete' },
                { name: 'path', valueString: 'Observation.code' },
              ],
            },
          ],
        },
      },
    ]) {
      const send = (path: string) => a.agent.patch(path).set('Content-Type', patch.type).send(JSON.stringify(patch.body));
      expectOutcome(await send(`/fhir/Observation/${obsB.id}`), 404, 'not-found');
      expectOutcome(await send(`/fhir/Observation?_id=${obsB.id}`), 404, 'not-found');
    }
    await a.agent.delete(`/fhir/Observation/${obsB.id}`).expect(204);
    await a.agent.delete(`/fhir/Observation?_id=${obsB.id}`).expect(204);
    const still = JSON.parse((await server.request.get(`/fhir/Observation/${obsB.id}`).expect(200)).text) as Observation;
    expect(still).toMatchObject({ status: 'final', code: { text: 'B weight v2' }, meta: { versionId: '2' } });
  });

  test('writing into B compartment, or creating a new Patient, is 403 and stores nothing', async () => {
    expectOutcome(
      await a.agent
        .post('/fhir/Observation')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify(observation(b.profile as string, 'forged'))),
      403,
      'forbidden',
    );
    expectOutcome(
      await a.agent
        .post('/fhir/Observation')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...observation(a.profile as string, 'shared'), performer: [{ reference: b.profile }] })),
      403,
      'forbidden',
    );
    expectOutcome(
      await a.agent
        .post('/fhir/Patient')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ resourceType: 'Patient' })),
      403,
      'forbidden',
    );
    const bObs = JSON.parse((await b.agent.get('/fhir/Observation').expect(200)).text) as Bundle;
    expect(ids(bObs)).toEqual([`Observation/${obsB.id}`]);
  });

  test('in a batch, only the entry writing into B is refused (http.html#transaction)', async () => {
    const res = await a.agent
      .post('/fhir')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'batch',
          entry: [
            { request: { method: 'POST', url: 'Observation' }, resource: observation(b.profile as string, 'forged in batch') },
            { request: { method: 'POST', url: 'Observation' }, resource: observation(a.profile as string, 'mine in batch') },
          ],
        }),
      )
      .expect(200);
    expect((JSON.parse(res.text) as Bundle).entry?.map((e) => e.response?.status)).toEqual(['403 Forbidden', '201 Created']);
    const bObs = JSON.parse((await b.agent.get('/fhir/Observation').expect(200)).text) as Bundle;
    expect(ids(bObs)).toEqual([`Observation/${obsB.id}`]);
  });

  test('a transaction touching B is refused as a whole (http.html#trules)', async () => {
    const res = await a.agent
      .post('/fhir')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { request: { method: 'POST', url: 'Observation' }, resource: observation(a.profile as string, 'fine') },
            { request: { method: 'PUT', url: `Observation/${obsB.id}` }, resource: { ...obsB, status: 'cancelled' } },
          ],
        }),
      );
    expectOutcome(res, 403, 'forbidden');
    const mine = JSON.parse((await a.agent.get('/fhir/Observation').expect(200)).text) as Bundle;
    expect(mine.entry?.map((e) => (e.resource as Observation).code.text)).not.toContain('fine');
  });

  test('A may update its own Patient but not link it into B', async () => {
    const own = JSON.parse((await a.agent.get(`/fhir/Patient/${a.id}`).expect(200)).text);
    await a.agent
      .put(`/fhir/Patient/${a.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...own, gender: 'female' }))
      .expect(200);
    expectOutcome(
      await a.agent
        .put(`/fhir/Patient/${a.id}`)
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...own, link: [{ other: { reference: b.profile }, type: 'seealso' }] })),
      403,
      'forbidden',
    );
  });

  test('operations: an instance-level call on B answers 404; $validate needs no data', async () => {
    expectOutcome(await a.agent.get(`/fhir/Observation/${obsB.id}/$validate`), 404, 'not-found');
    await a.agent
      .post('/fhir/Observation/$validate')
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(observation(b.profile as string, 'x')))
      .expect(200);
  });
});

describe('patient A learns nothing of B through what a search only tests (chains, _has, sort keys)', () => {
  const search = async (path: string) => ids(JSON.parse((await a.agent.get(path).expect(200)).text) as Bundle);
  let hidden: Patient;
  let probe: Observation;

  beforeAll(async () => {
    hidden = await createAs<Patient>(server.request, { resourceType: 'Patient', name: [{ family: 'Zebulon', given: ['Hidden'] }] });
    // A may reference any id outside the compartment parameters (focus is not one of them).
    probe = await createAs(a.agent, { ...observation(a.profile as string, 'probe'), focus: [{ reference: `Patient/${hidden.id}` }] });
  });

  test('a chain does not match through a resource A may not see (search.html#chaining)', async () => {
    expect(await search(`/fhir/Observation?focus:Patient.family=Zebulon`)).toEqual([]);
    expect(await search(`/fhir/Observation?focus:Patient._id=${hidden.id}`)).toEqual([]);
    expect(await search(`/fhir/Observation?focus:Patient.family:missing=false`)).toEqual([]);
    // The same chain through A's own Patient still works.
    expect(await search(`/fhir/Observation?subject:Patient.family=Test&_id=${probe.id}`)).toEqual([`Observation/${probe.id}`]);
  });

  test('a chain of a chain and a chain inside _has are filtered at every step', async () => {
    const link = await createAs(a.agent, {
      ...observation(a.profile as string, 'link'),
      hasMember: [{ reference: `Observation/${obsB.id}` }],
    });
    expect(await search(`/fhir/Observation?has-member:Observation.subject:Patient._id=${b.id}`)).toEqual([]);
    expect(await search(`/fhir/Observation?has-member:Observation.code:text=B weight v2`)).toEqual([]);
    expect(await search(`/fhir/Patient?_has:Observation:subject:focus:Patient.family=Zebulon`)).toEqual([]);
    expect(await search(`/fhir/Observation?has-member:Observation.status=final&_id=${link.id}`)).toEqual([]);
  });

  test('_has does not match through resources of B (search.html#has)', async () => {
    const doctor = await server.actAsDoctor();
    await createAs(server.request, {
      ...observation(b.profile as string, 'B secret'),
      code: { coding: [{ system: 'urn:test:secret', code: 'b-only' }] },
      performer: [{ reference: doctor.profile as string }],
    });
    const practitioners = await search(`/fhir/Practitioner?_has:Observation:performer:code=urn:test:secret|b-only`);
    expect(practitioners).not.toContain(doctor.profile);
    expect(await search(`/fhir/Practitioner?_id=${doctor.id}`)).toEqual([doctor.profile]);
  });

  test('_list does not open a List of B, even one that lists A (search.html#list)', async () => {
    const items = (...references: string[]) => references.map((reference) => ({ item: { reference } }));
    const listOfB = await createAs<List>(server.request, {
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      subject: { reference: b.profile as string },
      entry: items(a.profile as string, `Observation/${obsA.id}`),
    });
    const listOfA = await createAs<List>(a.agent, {
      resourceType: 'List',
      status: 'current',
      mode: 'working',
      subject: { reference: a.profile as string },
      entry: items(a.profile as string),
    });
    expect(await search(`/fhir/Patient?_list=${listOfB.id}`)).toEqual([]);
    expect(await search(`/fhir/Observation?_list=${listOfB.id}`)).toEqual([]);
    expect(await search(`/fhir/Patient?_list=${listOfA.id}`)).toEqual([a.profile]);
  });

  test('a chained sort key of a resource A may not see sorts as missing (search.html#sort)', async () => {
    const first = await createAs<Patient>(server.request, { resourceType: 'Patient', name: [{ family: 'Aaron' }] });
    const sorted = await Promise.all(
      [first.id, hidden.id, a.id].map((id = '') =>
        createAs(a.agent, { ...observation(a.profile as string, 'sorted'), focus: [{ reference: `Patient/${id}` }] }),
      ),
    );
    const own = `Observation/${sorted[2].id}`;
    const ascending = await search(`/fhir/Observation?code:text=sorted&_sort=focus.family`);
    expect(ascending[0]).toBe(own);
    const descending = await search(`/fhir/Observation?code:text=sorted&_sort=-focus.family`);
    expect(descending[0]).toBe(own);
    // Nor does the cursor of a page carry the hidden value.
    const page = JSON.parse(
      (await a.agent.get(`/fhir/Observation?code:text=sorted&_sort=focus.family&_count=1`).expect(200)).text,
    ) as Bundle;
    const next = page.link?.find((l) => l.relation === 'next')?.url ?? '';
    const cursor = new URL(next).searchParams.get('_cursor') ?? '';
    expect(Buffer.from(cursor, 'base64url').toString()).not.toMatch(/aaron|zebulon/i);
  });
});

describe('patient A learns nothing of B through history and compartments', () => {
  let moved: Observation;

  beforeAll(async () => {
    // Filed under A by mistake, then moved to B: the first version is now B's data.
    moved = await createAs(server.request, observation(a.profile as string, 'misfiled'));
    await server.request
      .put(`/fhir/Observation/${moved.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify({ ...moved, subject: { reference: b.profile } }))
      .expect(200);
  });

  test('vread of an old version of a resource A may no longer see is 404 (http.html#vread)', async () => {
    expectOutcome(await a.agent.get(`/fhir/Observation/${moved.id}/_history/1`), 404, 'not-found');
    expectOutcome(await a.agent.get(`/fhir/Observation/${moved.id}/_history`), 404, 'not-found');
    // B sees the resource, but not the version filed under A.
    await b.agent.get(`/fhir/Observation/${moved.id}/_history/2`).expect(200);
    expectOutcome(await b.agent.get(`/fhir/Observation/${moved.id}/_history/1`), 404, 'not-found');
  });

  test('type and system history leave out such versions (http.html#history)', async () => {
    for (const path of ['/fhir/Observation/_history', '/fhir/_history', `/fhir/Observation/_history?_count=1000`]) {
      const seen = ids(JSON.parse((await a.agent.get(path).expect(200)).text) as Bundle);
      expect(seen).not.toContain(`Observation/${moved.id}`);
    }
  });

  test('a resource A deleted keeps its history with A, and away from B (http.html#delete)', async () => {
    const gone = await createAs(a.agent, observation(a.profile as string, 'to delete'));
    await a.agent.delete(`/fhir/Observation/${gone.id}`).expect(204);
    expectOutcome(await a.agent.get(`/fhir/Observation/${gone.id}`), 410, 'deleted');
    const history = JSON.parse((await a.agent.get(`/fhir/Observation/${gone.id}/_history`).expect(200)).text) as Bundle;
    expect(history.entry?.map((e) => e.request?.method)).toEqual(['DELETE', 'POST']);
    expectOutcome(await b.agent.get(`/fhir/Observation/${gone.id}`), 404, 'not-found');
    expectOutcome(await b.agent.get(`/fhir/Observation/${gone.id}/_history/1`), 404, 'not-found');
    const bHistory = JSON.parse((await b.agent.get('/fhir/_history?_count=1000').expect(200)).text) as Bundle;
    expect(bHistory.entry?.map((e) => e.fullUrl)).not.toContain(`${server.baseUrl}/Observation/${gone.id}`);
  });

  test('a compartment search of a patient A may not see, not an empty Bundle (http.html#vsearch)', async () => {
    for (const member of ['*', 'Observation', 'Patient']) {
      expectOutcome(await a.agent.get(`/fhir/Patient/${b.id}/${member}`), 404, 'not-found');
      expectOutcome(await a.agent.get(`/fhir/Patient/no-such-patient/${member}`), 404, 'not-found');
    }
    const own = ids(JSON.parse((await a.agent.get(`/fhir/Patient/${a.id}/Observation`).expect(200)).text) as Bundle);
    expect(own).toContain(`Observation/${obsA.id}`);
    expect(own).not.toContain(`Observation/${obsB.id}`);
  });

  test('paging links of history and search carry nothing that opens B (http.html#paging)', async () => {
    const first = JSON.parse((await a.agent.get('/fhir/Observation/_history?_count=1').expect(200)).text) as Bundle;
    const next = first.link?.find((l) => l.relation === 'next')?.url;
    expect(next).toBeDefined();
    const seen: string[] = [];
    let url: string | undefined = next;
    for (let pages = 0; url && pages < 50; pages++) {
      const page = JSON.parse((await a.agent.get(new URL(url).pathname + new URL(url).search).expect(200)).text) as Bundle;
      seen.push(...ids(page));
      url = page.link?.find((l) => l.relation === 'next')?.url;
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen).not.toContain(`Observation/${obsB.id}`);
    expect(seen).not.toContain(`Observation/${moved.id}`);
    // Another caller's link, replayed by A, is filtered for A.
    const bLink = JSON.parse((await b.agent.get('/fhir/Observation?_count=1').expect(200)).text) as Bundle;
    const bNext = new URL(bLink.link?.find((l) => l.relation === 'next')?.url ?? '');
    const replayed = JSON.parse((await a.agent.get(`/fhir/Observation${bNext.search}`).expect(200)).text) as Bundle;
    expect(ids(replayed)).not.toContain(`Observation/${obsB.id}`);
    expect(ids(replayed)).not.toContain(`Observation/${moved.id}`);
  });
});
