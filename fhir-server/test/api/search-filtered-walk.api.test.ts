import type { Bundle, BundleEntry, PractitionerRole } from '@medplum/fhirtypes';
import { linkPath, searchBundle } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * `PractitionerRole?specialty=X&_sort=date`: with enough roles of the specialty the server walks
 * the date index against a hash of the specialty's roles (storage/search-sql/filtered-walk.ts),
 * and falls back to the usual queries for a page the walk does not fill (always the last one).
 * Either way every page must be exactly the next roles in (period start, id) order, the roles
 * without a period last, nothing skipped or repeated, forwards and backwards.
 */
const SNOMED = 'http://snomed.info/sct';
/** Roles per specialty: two above the walk's lower bound (100 matches), one below. */
const SPECIALTIES = { '394579002': 150, '394582007': 260, '419772000': 25 } as const;
const WITHOUT_PERIOD = 12;

let server: TestServer;
const roles: PractitionerRole[] = [];

beforeAll(async () => {
  server = await startTestServer();
  let n = 0;
  for (const [code, count] of Object.entries(SPECIALTIES)) {
    for (let i = 0; i < count; i++, n++) {
      // Starts repeat (n % 97 days), so ties are broken by id. A descending sort orders by the
      // period's end, one day after its start here.
      const day = Date.UTC(2026, 0, 1) + (n % 97) * 86_400_000;
      const [start, end] = [new Date(day).toISOString(), new Date(day + 86_400_000).toISOString()];
      roles.push({
        resourceType: 'PractitionerRole',
        id: `walk-${String(n).padStart(4, '0')}`,
        specialty: [{ coding: [{ system: SNOMED, code }] }],
        ...(i < WITHOUT_PERIOD ? {} : { period: { start, end } }),
      });
    }
  }
  const entries: BundleEntry[] = roles.map((role) => ({ resource: role, request: { method: 'PUT', url: `PractitionerRole/${role.id}` } }));
  await server.request.post('/fhir').send({ resourceType: 'Bundle', type: 'transaction', entry: entries }).expect(200);
});
afterAll(() => server.close());

async function walkPages(first: string, direction: 'next' | 'previous' = 'next'): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let pages = 0;
  let path: string | undefined = first;
  while (path) {
    const bundle: Bundle = await searchBundle(server, path);
    ids.push(...(bundle.entry ?? []).map((entry) => entry.resource?.id as string));
    pages++;
    path = linkPath(server, bundle, direction);
  }
  return { ids, pages };
}

function expected(code: string, descending: boolean): string[] {
  const start = (role: PractitionerRole) => role.period?.start;
  const ofSpecialty = roles.filter((role) => role.specialty?.[0].coding?.[0].code === code);
  const dated = ofSpecialty
    .filter((role) => start(role))
    .sort((a, b) => {
      const byStart = (start(a) as string).localeCompare(start(b) as string) || (a.id as string).localeCompare(b.id as string);
      return descending ? -byStart : byStart;
    });
  const undated = ofSpecialty.filter((role) => !start(role)).sort((a, b) => (a.id as string).localeCompare(b.id as string));
  return [...dated, ...(descending ? undated.reverse() : undated)].map((role) => role.id as string);
}

test.each(Object.keys(SPECIALTIES).flatMap((code) => [[code, 'date'] as const, [code, '-date'] as const]))(
  'specialty %s, _sort=%s: every page is the next roles in order, undated roles last',
  async (code, sort) => {
    const want = expected(code, sort.startsWith('-'));
    const forward = await walkPages(`PractitionerRole?specialty=${SNOMED}|${code}&_sort=${sort}&_count=17`);
    expect(forward.ids).toEqual(want);
    expect(forward.pages).toBe(Math.ceil(want.length / 17));
    // A single page holding every match, and one as large as the _count limit allows.
    const whole = await searchBundle(server, `PractitionerRole?specialty=${SNOMED}|${code}&_sort=${sort}&_count=1000`);
    expect((whole.entry ?? []).map((entry) => entry.resource?.id)).toEqual(want);
  },
);

test('paging backwards from the last page gives the same roles in reverse', async () => {
  const code = '394582007';
  const want = expected(code, false);
  let bundle = await searchBundle(server, `PractitionerRole?specialty=${SNOMED}|${code}&_sort=date&_count=23`);
  for (let next = linkPath(server, bundle, 'next'); next; next = linkPath(server, bundle, 'next')) {
    bundle = await searchBundle(server, next);
  }
  const lastPage = (bundle.entry ?? []).map((entry) => entry.resource?.id as string);
  const previous = linkPath(server, bundle, 'previous');
  const before = previous ? await walkPages(previous, 'previous') : { ids: [] };
  // Each earlier page comes in its own order; reassembled, they are everything before the last page.
  expect(before.ids.length).toBe(want.length - lastPage.length);
  expect(new Set([...before.ids, ...lastPage])).toEqual(new Set(want));
});

test('a role that changes specialty moves between the results at once', async () => {
  const code = '394579002';
  const moved = roles.find((role) => role.specialty?.[0].coding?.[0].code === '394582007' && role.period) as PractitionerRole;
  await server.request
    .put(`/fhir/PractitionerRole/${moved.id}`)
    .send({ ...moved, specialty: [{ coding: [{ system: SNOMED, code }] }] })
    .expect(200);
  const { ids } = await walkPages(`PractitionerRole?specialty=${SNOMED}|${code}&_sort=date&_count=50`);
  expect(ids).toContain(moved.id);
  expect(ids).toHaveLength(SPECIALTIES[code] + 1);
  const other = await walkPages(`PractitionerRole?specialty=${SNOMED}|394582007&_sort=date&_count=50`);
  expect(other.ids).not.toContain(moved.id);
});
