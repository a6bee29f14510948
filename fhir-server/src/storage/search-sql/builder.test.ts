import type { SearchQuery } from '../search-query';
import { compileSearch } from './builder';
import { encodeSearchCursor } from './search-cursor';

/**
 * Committed SQL of representative searches (search-sql/__snapshots__): a change to the
 * generated SQL shows up in review. Every user value is a binding, never SQL text.
 */
function compiled(query: Partial<SearchQuery> & Pick<SearchQuery, 'resourceTypes'>) {
  const { pages, count } = compileSearch({ filters: [], sort: [], count: 20, total: 'none', ...query });
  const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();
  return { pages: pages.map((page) => ({ sql: tidy(page.text), bindings: page.bindings })), count: tidy(count.text) };
}

describe('search SQL (snapshots)', () => {
  test('Patient?family=smith&birthdate=ge1970: semi-joins on the string and date indexes, ordered by id', () => {
    expect(
      compiled({
        resourceTypes: ['Patient'],
        filters: [
          { code: 'family', type: 'string', values: [{ value: 'Smith' }] },
          { code: 'birthdate', type: 'date', values: [{ prefix: 'ge', value: '1970' }] },
        ],
      }),
    ).toMatchSnapshot();
  });

  test('PractitionerRole?specialty=...&_sort=-date,_id: sort keys as per-resource aggregates', () => {
    expect(
      compiled({
        resourceTypes: ['PractitionerRole'],
        filters: [
          {
            code: 'specialty',
            type: 'token',
            values: [{ value: 'http://snomed.info/sct|394814009', parts: ['http://snomed.info/sct', '394814009'] }],
          },
        ],
        sort: [
          { code: 'date', type: 'date', descending: true },
          { code: '_id', type: 'token', descending: false },
        ],
      }),
    ).toMatchSnapshot();
  });

  test('AuditEvent?date=ge...&date=le...&_sort=-date: the walk of the date index starts at the range end (one instant per event)', () => {
    const { pages } = compiled({
      resourceTypes: ['AuditEvent'],
      filters: [
        { code: 'date', type: 'date', values: [{ prefix: 'ge', value: '2026-09-01' }] },
        { code: 'date', type: 'date', values: [{ prefix: 'le', value: '2026-09-07' }] },
      ],
      sort: [{ code: 'date', type: 'date', descending: true, singleInstant: true }],
    });
    expect(pages[0].sql).toContain(
      "AND ((x.high >= ?::timestamptz - interval '1 second') AND (x.high <= ?::timestamptz + interval '1 second')) ORDER BY x.high DESC",
    );
    expect(pages[0].bindings).toEqual(expect.arrayContaining(['2026-09-01T00:00:00.000Z', '2026-09-07T23:59:59.999Z']));
    // Without the guarantee of one instant per resource (a Period, repeating dates) the walk is not bounded.
    const unbounded = compiled({
      resourceTypes: ['AuditEvent'],
      filters: [{ code: 'date', type: 'date', values: [{ prefix: 'le', value: '2026-09-07' }] }],
      sort: [{ code: 'date', type: 'date', descending: true }],
    });
    expect(unbounded.pages[0].sql).not.toContain('x.high <=');
  });

  test('PractitionerRole?specialty=X&_sort=date (one row per role): a walk of the date index against a hash of the matches, tried first', () => {
    const specialty = {
      code: 'specialty',
      type: 'token' as const,
      values: [{ value: 'http://snomed.info/sct|394814009', parts: ['http://snomed.info/sct', '394814009'] }],
    };
    const query: SearchQuery = {
      resourceTypes: ['PractitionerRole'],
      filters: [specialty],
      sort: [{ code: 'date', type: 'date', descending: false, singleValue: true }],
      count: 20,
      total: 'none',
    };
    const { walk } = compileSearch(query);
    const tidy = (text: string) => text.replace(/\s+/g, ' ').trim();
    expect(tidy(walk?.probe.text ?? '')).toBe(
      'SELECT count(*)::int AS n FROM (SELECT 1 FROM sp_token d WHERE d.resource_type = ? AND d.param = ? AND (d.code = ? AND d.system = ?) LIMIT ?) s',
    );
    const page = walk?.page(4000);
    expect(tidy(page?.text ?? '')).toContain(
      'WHERE x.resource_type = ? AND x.param = ? ORDER BY x.low ASC, x.resource_id ASC LIMIT ?) w WHERE (w.k1 IN (SELECT d.resource_id FROM sp_token d',
    );
    expect(page?.bindings).toEqual([
      'PractitionerRole',
      'date',
      4000,
      'PractitionerRole',
      'specialty',
      '394814009',
      'http://snomed.info/sct',
    ]);
    // Not for a sort key with several rows per resource, a second filter, a negation, or paging backwards.
    const multiValued = { ...query, sort: [{ code: 'date', type: 'date' as const, descending: false }] };
    expect(compileSearch(multiValued).walk).toBeUndefined();
    const twoFilters = { ...query, filters: [specialty, { code: 'active', type: 'token' as const, values: [{ value: 'true' }] }] };
    expect(compileSearch(twoFilters).walk).toBeUndefined();
    expect(compileSearch({ ...query, filters: [{ ...specialty, modifier: 'not' }] }).walk).toBeUndefined();
    const back = encodeSearchCursor('p', 'PractitionerRole|date', ['2026-01-01T00:00:00.000Z', 'r1']);
    expect(compileSearch({ ...query, cursor: back }).walk).toBeUndefined();
  });

  test('Slot?schedule=Schedule/s1&status=free&start=ge...&start=lt...', () => {
    expect(
      compiled({
        resourceTypes: ['Slot'],
        filters: [
          { code: 'schedule', type: 'reference', targetTypes: ['Schedule'], values: [{ value: 'Schedule/s1' }] },
          { code: 'status', type: 'token', values: [{ value: 'free' }] },
          { code: 'start', type: 'date', values: [{ prefix: 'ge', value: '2026-12-01' }] },
          { code: 'start', type: 'date', values: [{ prefix: 'lt', value: '2026-12-08' }] },
        ],
      }),
    ).toMatchSnapshot();
  });

  test('Appointment?patient.family=smith (chain) and Patient?_has:Appointment:patient:status=booked', () => {
    expect(
      compiled({
        resourceTypes: ['Appointment'],
        filters: [
          {
            kind: 'chain',
            code: 'patient',
            targetTypes: ['Patient'],
            filter: { code: 'family', type: 'string', values: [{ value: 'smith' }] },
          },
        ],
      }),
    ).toMatchSnapshot();
    expect(
      compiled({
        resourceTypes: ['Patient'],
        filters: [
          {
            kind: 'has',
            sourceType: 'Appointment',
            referenceParam: 'patient',
            filter: { code: 'status', type: 'token', values: [{ value: 'booked' }] },
          },
        ],
      }),
    ).toMatchSnapshot();
  });

  test('negations: gender:not=male, active:missing=true; modifiers :exact, :contains, :text', () => {
    expect(
      compiled({
        resourceTypes: ['Patient'],
        filters: [
          { code: 'gender', type: 'token', modifier: 'not', values: [{ value: 'male' }] },
          { code: 'active', type: 'token', modifier: 'missing', values: [{ value: 'true' }] },
          { code: 'family', type: 'string', modifier: 'exact', values: [{ value: 'Müller' }] },
          { code: 'given', type: 'string', modifier: 'contains', values: [{ value: "50%_o'k\\" }] },
          { code: 'language', type: 'token', modifier: 'text', values: [{ value: 'english' }] },
        ],
      }),
    ).toMatchSnapshot();
  });

  test('composite, quantity with UCUM conversion, uri :above, reference by id', () => {
    expect(
      compiled({
        resourceTypes: ['Observation'],
        filters: [
          {
            code: 'code-value-quantity',
            type: 'composite',
            components: ['token', 'quantity'],
            values: [
              {
                value: '',
                components: [
                  { value: 'http://loinc.org|8480-6', parts: ['http://loinc.org', '8480-6'] },
                  { prefix: 'gt', value: '100' },
                ],
              },
            ],
          },
          {
            code: 'value-quantity',
            type: 'quantity',
            values: [{ value: '5|http://unitsofmeasure.org|mg', parts: ['5', 'http://unitsofmeasure.org', 'mg'] }],
          },
          { code: '_profile', type: 'uri', modifier: 'above', values: [{ value: 'http://medbuddy.org/fhir/StructureDefinition/vitals' }] },
          { code: 'subject', type: 'reference', targetTypes: ['Patient', 'Group'], values: [{ value: 'p1' }] },
        ],
      }),
    ).toMatchSnapshot();
  });

  test('system-level search over two types, _lastUpdated, a next-page cursor and a compartment', () => {
    const cursor = encodeSearchCursor('n', 'Patient,Practitioner|-_lastUpdated', ['2026-01-01 00:00:00+00', 'Patient', 'p1']);
    expect(
      compiled({
        resourceTypes: ['Patient', 'Practitioner'],
        filters: [{ code: '_lastUpdated', type: 'date', values: [{ prefix: 'gt', value: '2025-06' }] }],
        sort: [{ code: '_lastUpdated', type: 'date', descending: true }],
        cursor,
        compartment: 'Patient/p1',
      }),
    ).toMatchSnapshot();
  });

  test('chained sort and a previous-page cursor', () => {
    const cursor = encodeSearchCursor('p', 'Appointment|patient.family', ['smith', 'a1']);
    expect(
      compiled({
        resourceTypes: ['Appointment'],
        sort: [{ code: 'family', type: 'string', descending: false, chain: { code: 'patient', targetTypes: ['Patient'] } }],
        cursor,
      }),
    ).toMatchSnapshot();
  });

  test('Patient?_sort=family: one key walks the index in order; resources without a family follow', () => {
    const cursor = encodeSearchCursor('n', 'Patient|family', ['smith', 'p1']);
    expect(
      compiled({ resourceTypes: ['Patient'], sort: [{ code: 'family', type: 'string', descending: false }], cursor }),
    ).toMatchSnapshot();
    expect(compiled({ resourceTypes: ['Appointment'], sort: [{ code: 'date', type: 'date', descending: true }] })).toMatchSnapshot();
  });

  test('Appointment?_sort=patient (derived from actor): the key of each match is computed from its own and its actor rows', () => {
    const derived = [{ resourceType: 'Appointment', targetType: 'Patient', sources: ['actor'] }];
    const { pages } = compiled({
      resourceTypes: ['Appointment'],
      sort: [{ code: 'patient', type: 'reference', descending: false, derived }],
    });
    expect(pages).toHaveLength(1);
    // No walk of sp_reference in url order: its url index holds only references without a local target.
    expect(pages[0].sql).not.toContain('ORDER BY x.url');
    expect(pages[0].sql).toContain('SELECT min(k.url) FROM sp_reference k');
    expect(pages[0].sql).toContain('(k.param = ? OR (k.resource_type = ? AND k.target_type = ? AND k.param = ANY(?::text[])))');
  });

  test('PractitionerRole?specialty=...&_sort=date: the page is chosen from index rows, one date row per role needs no anti-join', () => {
    const specialty = {
      code: 'specialty',
      type: 'token' as const,
      values: [{ value: 'http://snomed.info/sct|394814009', parts: ['http://snomed.info/sct', '394814009'] }],
    };
    const { pages } = compiled({
      resourceTypes: ['PractitionerRole'],
      filters: [specialty],
      sort: [{ code: 'date', type: 'date', descending: false, singleValue: true }],
    });
    expect(pages).toMatchSnapshot();
    expect(pages[0].sql).not.toContain('NOT EXISTS');
    // A condition on the resource row (here _lastUpdated) keeps the resource joined to every index row walked.
    const withRow = compiled({
      resourceTypes: ['PractitionerRole'],
      filters: [specialty, { code: '_lastUpdated', type: 'date', values: [{ prefix: 'gt', value: '2025' }] }],
      sort: [{ code: 'date', type: 'date', descending: false }],
    });
    expect(withRow.pages[0].sql).toContain('FROM sp_date x JOIN resource r');
    expect(withRow.pages[0].sql).toContain('NOT EXISTS');
  });

  test('Slot?status=free, next page: the ids are read from the index from the cursor on, then their resources', () => {
    const cursor = encodeSearchCursor('n', 'Slot', ['s20']);
    const { pages } = compiled({
      resourceTypes: ['Slot'],
      filters: [{ code: 'status', type: 'token', values: [{ value: 'free' }] }],
      cursor,
    });
    expect(pages).toMatchSnapshot();
    expect(pages[0].sql).toContain(
      'FROM sp_token d WHERE d.resource_type = ? AND d.param = ? AND (d.code = ?) AND d.resource_id > ?::text',
    );
    const previous = compiled({
      resourceTypes: ['Slot'],
      filters: [{ code: 'status', type: 'token', values: [{ value: 'free' }] }],
      cursor: encodeSearchCursor('p', 'Slot', ['s20']),
    });
    expect(previous.pages[0].sql).toContain('d.resource_id < ?::text ORDER BY d.resource_id DESC');
  });

  test('start=ge...&start=lt... on a single-valued date: one semi-join tests both on the one row', () => {
    const start = (prefix: string, value: string) => ({
      code: 'start',
      type: 'date' as const,
      singleValue: true,
      values: [{ prefix, value }],
    });
    const { pages, count } = compiled({
      resourceTypes: ['Slot'],
      filters: [
        { code: 'schedule', type: 'reference', targetTypes: ['Schedule'], values: [{ value: 'Schedule/s1' }] },
        start('ge', '2026-12-01'),
        start('lt', '2026-12-08'),
      ],
    });
    expect(count.match(/FROM sp_date/g)).toHaveLength(1);
    expect(pages[0].sql.match(/FROM sp_date/g)).toHaveLength(1);
    expect(pages[0].sql).toMatch(
      /FROM sp_date (x\d+) WHERE \1\.resource_type = \? AND \1\.param = \? AND \(\(\1\.high > \?::timestamptz OR \(\1\.low >= \?::timestamptz AND \1\.high <= \?::timestamptz\)\) AND \(\1\.low < \?::timestamptz\)\)/,
    );
    // Without the guarantee of one row per resource, each occurrence is a semi-join of its own (different rows may match).
    const several = compiled({
      resourceTypes: ['Encounter'],
      filters: [
        { code: 'date', type: 'date', values: [{ prefix: 'ge', value: '2026-12-01' }] },
        { code: 'date', type: 'date', values: [{ prefix: 'lt', value: '2026-12-08' }] },
      ],
    });
    expect(several.pages[0].sql).toContain('FROM sp_date d');
    expect(several.pages[0].sql.match(/FROM sp_date/g)).toHaveLength(2);
  });

  test('a cursor from another search is refused', () => {
    const cursor = encodeSearchCursor('n', 'Patient|family', ['smith', 'p1']);
    expect(() => compileSearch({ resourceTypes: ['Patient'], filters: [], sort: [], count: 20, total: 'none', cursor })).toThrow(/cursor/);
    expect(() => compileSearch({ resourceTypes: ['Patient'], filters: [], sort: [], count: 20, total: 'none', cursor: 'garbage' })).toThrow(
      /cursor/,
    );
  });
});

describe('token filters tested against hashes of their matches (index-row-driver.ts)', () => {
  const token = (code: string, value: string) => ({ code, type: 'token' as const, values: [{ value }] });
  const discovery = compileSearch({
    resourceTypes: ['PractitionerRole'],
    filters: [token('active', 'true'), token('specialty', 'cardiology'), token('language', 'de')],
    sort: [
      { code: 'date', type: 'date', descending: true },
      { code: 'role', type: 'token', descending: false },
    ],
    count: 20,
    total: 'none',
  });
  /** The pages chosen when the token filters' probes answer these counts, in order. */
  const pagesFor = (search: ReturnType<typeof compileSearch>, counts: number[]) => {
    const answers = [...counts];
    return search.hashed?.pages(async () => answers.shift() as number);
  };
  const hashedSets = (text: string) =>
    text.match(/\(d\.resource_id IN \(SELECT h\d+\.resource_id FROM sp_token h\d+ WHERE [^)]*\)\)\) IS TRUE/g) ?? [];

  test('the filter with the fewest matches drives; the others with at most 5,000 are hashed, more stay semi-joins', async () => {
    const [page] = (await pagesFor(discovery, [6_000, 1_042, 4_983])) ?? [];
    expect(page.text).toMatch(/FROM sp_token d WHERE .* AND d\.param = \? AND \(d\.code = \?\)/);
    expect(page.bindings).toContain('specialty');
    expect(hashedSets(page.text)).toHaveLength(1);
    expect(page.bindings.indexOf('language')).toBeGreaterThan(page.bindings.indexOf('specialty'));
    expect(page.text).toMatch(/AND \(d\.resource_id IN \(SELECT x\d+\.resource_id FROM sp_token x\d+ /);
  });

  test('with a filter under 100 matches (counting stops there), or no other filter under 5,000, the usual pages answer', async () => {
    const probed: string[] = [];
    const counts = new Map([
      ['active', 6_000],
      ['specialty', 99],
      ['language', 4_983],
    ]);
    const pages = await discovery.hashed?.pages(async (probe) => {
      const param = probe.bindings.find((b) => counts.has(b as string)) as string;
      probed.push(param);
      return counts.get(param) as number;
    });
    expect(pages).toBeUndefined();
    expect(probed).toEqual(['active', 'specialty']);
    expect(await pagesFor(discovery, [6_000, 5_001, 1_042])).toBeUndefined();
  });

  test('needs two plain token filters answered by index rows, and a page that is not chosen by id', async () => {
    const single = { ...discoveryQuery(), filters: [token('specialty', 'cardiology')] };
    expect(compileSearch(single).hashed).toBeUndefined();
    const negated = { ...discoveryQuery(), filters: [token('specialty', 'cardiology'), { ...token('language', 'de'), modifier: 'not' }] };
    expect(compileSearch(negated).hashed).toBeUndefined();
    const byId = { ...discoveryQuery(), filters: [...discoveryQuery().filters, token('_id', 'r1')] };
    expect(await pagesFor(compileSearch(byId), [1_042, 4_983])).toHaveLength(1);
    expect(compileSearch({ ...discoveryQuery(), sort: [] }).hashed).toBeUndefined();
  });

  test("sorted by one parameter, the walked index rows are the driver's, tested against the hash before a key row is read", async () => {
    const byDate = compileSearch({ ...discoveryQuery(), sort: [{ code: 'date', type: 'date', descending: true }] });
    const [page] = (await pagesFor(byDate, [1_042, 4_983])) ?? [];
    expect(page.text).toMatch(
      /\(x\.resource_id IN \(SELECT d\.resource_id FROM sp_token d WHERE .* AND \(d\.resource_id IN \(SELECT h\d+\.resource_id FROM sp_token h\d+ WHERE [^)]*\)\)\) IS TRUE\)/,
    );
    expect(page.bindings.indexOf('language')).toBeGreaterThan(page.bindings.indexOf('specialty'));
  });

  function discoveryQuery(): SearchQuery {
    return {
      resourceTypes: ['PractitionerRole'],
      filters: [token('specialty', 'cardiology'), token('language', 'de')],
      sort: [
        { code: 'date', type: 'date', descending: true },
        { code: 'role', type: 'token', descending: false },
      ],
      count: 20,
      total: 'none',
    };
  }
});
