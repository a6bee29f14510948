import type { Bundle, Patient, Practitioner } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { linkPath, matchIds, putAll, searchBundle } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

let server: TestServer;
const FHIR_JSON = 'application/fhir+json';
const ids = (bundle: Bundle) => (bundle.entry ?? []).map((e) => e.resource?.id as string);

const sorted = (id: string, family: string | undefined, birthDate: string): Patient & { id: string } => ({
  resourceType: 'Patient',
  id,
  meta: { tag: [{ system: 'urn:test', code: 'sort' }] },
  name: family ? [{ family }] : undefined,
  birthDate,
});
const practitioner = (n: number): Practitioner & { id: string } => ({
  resourceType: 'Practitioner',
  id: `w${String(n).padStart(3, '0')}`,
  name: [{ family: `Walker${n}` }],
});

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, [
    sorted('s1', 'Baker', '1990'),
    sorted('s2', 'adams', '1985'),
    sorted('s3', 'Baker', '1970'),
    sorted('s4', undefined, '2000'),
    sorted('s5', 'Ćarter', '1990'),
    sorted('s6', 'Baker', '1970'),
  ]);
  await putAll(
    server,
    Array.from({ length: 30 }, (_, i) => practitioner(i * 10 + 10)),
  );
});
afterAll(() => server.close());

/** Every page from `first` on, following `next` links. */
async function walk(first: string, between?: (bundle: Bundle, page: number) => Promise<void>): Promise<Bundle[]> {
  const pages: Bundle[] = [];
  let path: string | undefined = first;
  while (path && pages.length < 50) {
    const bundle = await searchBundle(server, path);
    pages.push(bundle);
    await between?.(bundle, pages.length);
    path = linkPath(server, bundle, 'next');
  }
  return pages;
}

describe('_sort (search.html#sort)', () => {
  test('several keys, descending with -, ties broken by id; resources without the value last', async () => {
    expect(await matchIds(server, 'Patient?_tag=urn:test|sort&_sort=family,-birthdate')).toEqual(['s2', 's1', 's3', 's6', 's5', 's4']);
    expect(await matchIds(server, 'Patient?_tag=urn:test|sort&_sort=-family')).toEqual(['s5', 's6', 's3', 's1', 's2', 's4']);
    expect(await matchIds(server, 'Patient?_tag=urn:test|sort&_sort=birthdate')).toEqual(['s3', 's6', 's2', 's1', 's5', 's4']);
    expect(await matchIds(server, 'Patient?_tag=urn:test|sort&_sort=-_lastUpdated')).toEqual(['s6', 's5', 's4', 's3', 's2', 's1']);
    expect(await matchIds(server, 'Patient?_tag=urn:test|sort&_sort=-_id')).toEqual(['s6', 's5', 's4', 's3', 's2', 's1']);
  });

  test('paging a sorted search with next and previous links gives the same order, page by page', async () => {
    const pages = await walk('Patient?_tag=urn:test|sort&_sort=family,-birthdate&_count=2');
    expect(pages.map(ids)).toEqual([
      ['s2', 's1'],
      ['s3', 's6'],
      ['s5', 's4'],
    ]);
    const back = await searchBundle(server, linkPath(server, pages[2], 'previous') as string);
    expect(ids(back)).toEqual(['s3', 's6']);
    const first = await searchBundle(server, linkPath(server, back, 'previous') as string);
    expect(ids(first)).toEqual(['s2', 's1']);
    expect(linkPath(server, first, 'previous')).toBeUndefined();
    expect(ids(await searchBundle(server, linkPath(server, first, 'next') as string))).toEqual(['s3', 's6']);
  });
  test('one sort key: pages run through the resources with a value, then those without, and back', async () => {
    const pages = await walk('Patient?_tag=urn:test|sort&_sort=family&_count=2');
    expect(pages.map(ids)).toEqual([
      ['s2', 's1'],
      ['s3', 's6'],
      ['s5', 's4'],
    ]);
    expect(ids(await searchBundle(server, linkPath(server, pages[2], 'previous') as string))).toEqual(['s3', 's6']);
    const descending = await walk('Patient?_tag=urn:test|sort&_sort=-family&_count=5');
    expect(descending.map(ids)).toEqual([['s5', 's6', 's3', 's1', 's2'], ['s4']]);
    const back = await searchBundle(server, linkPath(server, descending[1], 'previous') as string);
    expect(ids(back)).toEqual(['s5', 's6', 's3', 's1', 's2']);
    expect(linkPath(server, back, 'previous')).toBeUndefined();
  });
});

describe('paging (search.html#count, http.html#paging)', () => {
  test('_count pages follow next links to the end; the last page has no next link', async () => {
    const pages = await walk('Practitioner?_count=7');
    expect(pages.map((p) => ids(p).length)).toEqual([7, 7, 7, 7, 2]);
    expect(pages.flatMap(ids)).toEqual(Array.from({ length: 30 }, (_, i) => practitioner(i * 10 + 10).id));
    expect(linkPath(server, pages[4], 'next')).toBeUndefined();
    expect(linkPath(server, pages[0], 'self')).toBe('Practitioner?_count=7');
  });

  test('walking the pages while resources are created, updated and deleted returns no duplicates and skips none that stayed', async () => {
    const seen: string[] = [];
    const deleted = new Set<string>();
    const pages = await walk('Practitioner?_count=6&_sort=family', async (bundle, page) => {
      seen.push(...ids(bundle));
      // Between pages: delete one already seen and one not yet seen, add some before and after, update one ahead.
      await server.request.delete(`/fhir/Practitioner/w${String(page * 10).padStart(3, '0')}`);
      deleted.add(`w${String(page * 10).padStart(3, '0')}`);
      await server.request.delete(`/fhir/Practitioner/w${String(300 - page * 10).padStart(3, '0')}`);
      deleted.add(`w${String(300 - page * 10).padStart(3, '0')}`);
      await putAll(server, [practitioner(page * 10 + 1), practitioner(299 - page)]);
      await server.request
        .put('/fhir/Practitioner/w150')
        .set('Content-Type', FHIR_JSON)
        .send(JSON.stringify({ ...practitioner(150), active: page % 2 === 0 }));
    });
    const all = pages.flatMap(ids);
    expect(all).toEqual(seen);
    expect(new Set(all).size).toBe(all.length);
    const stayed = Array.from({ length: 30 }, (_, i) => practitioner(i * 10 + 10).id).filter((id) => !deleted.has(id));
    expect(stayed.filter((id) => !all.includes(id))).toEqual([]);
  });

  test('a page reached by a cursor costs the same query as the first: the cursor is a key, not an offset', async () => {
    const first = await searchBundle(server, 'Practitioner?_count=3');
    const next = linkPath(server, first, 'next') as string;
    const cursor = new URLSearchParams(next.split('?')[1]).get('_cursor') as string;
    expect(Buffer.from(cursor, 'base64url').toString()).toContain(ids(first)[2]);
  });
});

describe('_total and _summary (search.html#total, #summary)', () => {
  test('_total=accurate counts every match; a first page holding all matches carries its total anyway', async () => {
    expect((await searchBundle(server, 'Patient?_tag=urn:test|sort&_count=2&_total=accurate')).total).toBe(6);
    expect((await searchBundle(server, 'Patient?_tag=urn:test|sort&_count=2')).total).toBeUndefined();
    expect((await searchBundle(server, 'Patient?_tag=urn:test|sort')).total).toBe(6);
    expect((await searchBundle(server, 'Patient?_count=0&_total=accurate')).entry).toBeUndefined();
  });

  test('_total=estimate gives the planner estimate (a non-negative number)', async () => {
    const total = (await searchBundle(server, 'Practitioner?_count=1&_total=estimate')).total as number;
    expect(total).toBeGreaterThanOrEqual(0);
  });

  test('_summary=count returns only the total', async () => {
    const bundle = await searchBundle(server, 'Patient?_tag=urn:test|sort&_summary=count');
    expect({ total: bundle.total, entries: bundle.entry }).toEqual({ total: 6, entries: undefined });
  });

  test('_summary=true and _elements return subsetted resources (search.html#elements)', async () => {
    const elements = await searchBundle(server, 'Patient?_id=s1&_elements=birthDate');
    expect(elements.entry?.[0].resource).toEqual({
      resourceType: 'Patient',
      id: 's1',
      meta: expect.objectContaining({ tag: expect.arrayContaining([expect.objectContaining({ code: 'SUBSETTED' })]) }),
      birthDate: '1990',
    });
    const summary = await searchBundle(server, 'Patient?_id=s1&_summary=true');
    expect(summary.entry?.[0].resource).toMatchObject({ name: [{ family: 'Baker' }], birthDate: '1990' });
  });
});

describe('POST [type]/_search (http.html#search)', () => {
  test('form-encoded parameters search like a GET', async () => {
    const res = await server.request
      .post('/fhir/Patient/_search')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('_tag=urn:test|sort&family=baker&_sort=-birthdate');
    expect(res.status).toBe(200);
    expect(ids(JSON.parse(res.text) as Bundle)).toEqual(['s1', 's6', 's3']);
  });

  test('a malformed form value is a 400', async () => {
    const res = await server.request
      .post('/fhir/Patient/_search')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('birthdate=1990-02-30');
    expectOutcome(res, 400, 'invalid');
  });
});
