import type { Observation, Patient, PractitionerRole, Resource, Slot } from '@medplum/fhirtypes';
import type { SortRule } from './search-query';
import { openThrowawayDatabase, testDatabaseUrl } from '../../test/setup/test-database';
import { FULL_ACCESS } from '../auth/access-context';
import { loadFhirDefinitions } from '../definitions';
import type { Database } from './db';
import { PgPoolExecutor } from './pg-executor';
import { PgRepository } from './pg-repository';
import { PREPARED_GENERIC, toPositionalSql } from './sql-executor';
import { StatementTimeoutError } from './storage-errors';

/**
 * Search pages run as prepared statements (parsed once per connection) that PostgreSQL plans
 * for each call's values: a generic plan, chosen after five calls, was 100x slower for skewed data.
 * Writes, reads by primary key and search pages anchored on a referenced resource ask for a
 * generic plan: planned once per connection.
 */
let database: Awaited<ReturnType<typeof openThrowawayDatabase>>;
let db: Database;
let repo: PgRepository;

beforeAll(async () => {
  loadFhirDefinitions();
  // One connection: every statement below runs in the same session.
  database = await openThrowawayDatabase(1);
  db = database.db;
  repo = new PgRepository(db.sql, FULL_ACCESS);
});
afterAll(() => database.close());

async function sessionSetting(name: string): Promise<string> {
  const { rows } = await db.sql.raw<{ setting: string }>('SELECT current_setting(?) AS setting', [name]);
  return rows[0].setting;
}

it('plans every execution of a prepared statement for its values', async () => {
  expect(await sessionSetting('plan_cache_mode')).toBe('force_custom_plan');
});

const READ_BY_KEY = 'SELECT id FROM resource WHERE resource_type = ? AND id = ?';

async function planCounts(sql: string): Promise<{ generic: number; custom: number }> {
  const { rows } = await db.sql.raw<{ generic_plans: string; custom_plans: string }>(
    'SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = ?',
    [toPositionalSql(sql)],
  );
  expect(rows).toHaveLength(1);
  return { generic: Number(rows[0].generic_plans), custom: Number(rows[0].custom_plans) };
}

/** The prepared statements whose text is LIKE the pattern, oldest first, with their plan counts. */
async function preparedLike(pattern: string): Promise<{ statement: string; generic: number; custom: number }[]> {
  const { rows } = await db.sql.raw<{ statement: string; generic_plans: string; custom_plans: string }>(
    'SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE ? ORDER BY prepare_time',
    [pattern],
  );
  return rows.map((row) => ({ statement: row.statement, generic: Number(row.generic_plans), custom: Number(row.custom_plans) }));
}

/** [generic, custom] plan counts of each statement LIKE the pattern, oldest first. */
async function planCountsLike(pattern: string): Promise<number[][]> {
  return (await preparedLike(pattern)).map(({ generic, custom }) => [generic, custom]);
}

/** Stores a version-1 resource as a create would. */
async function store<T extends Resource>(resource: T & { id: string }): Promise<void> {
  const lastUpdated = new Date().toISOString();
  await repo.writeVersion({
    resource: { ...resource, meta: { versionId: '1', lastUpdated } },
    versionId: 1,
    lastUpdated,
    method: 'POST',
    deleted: false,
  });
}

/** A search planned for its values: a family name containing the text anchors nothing. */
function searchFamily(family: string, on: PgRepository = repo): Promise<unknown> {
  return on.search({
    resourceTypes: ['Patient'],
    filters: [{ code: 'family', type: 'string', modifier: 'contains', values: [{ value: family }] }],
    sort: [],
    count: 10,
    total: 'none',
  });
}

it('prepares a search page once and reuses it for other values of the same shape', async () => {
  for (const family of ['Prepared', 'Other', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh']) {
    await searchFamily(family);
  }
  expect(await planCountsLike('%FROM sp_string%')).toEqual([[0, 7]]);
});

it('plans a statement that asks for a generic plan once, and the searches after it for their values', async () => {
  for (const id of ['a', 'b', 'c']) {
    await db.sql.raw(READ_BY_KEY, ['Patient', id], PREPARED_GENERIC);
  }
  expect(await planCounts(READ_BY_KEY)).toEqual({ generic: 3, custom: 0 });
  await searchFamily('Eighth');
  expect(await sessionSetting('plan_cache_mode')).toBe('force_custom_plan');
});

it('does not trust its record of the session after a rollback, which undoes a SET', async () => {
  await db.sql.raw(READ_BY_KEY, ['Patient', 'd'], PREPARED_GENERIC);
  const rolledBack = db.sql.transaction(async (tx) => {
    await searchFamily('Ninth', repo.boundTo(tx));
    throw new Error('roll back');
  });
  await expect(rolledBack).rejects.toThrow('roll back');
  expect(await sessionSetting('plan_cache_mode')).toBe('force_custom_plan');
});

describe('search pages anchored on a referenced resource or a string prefix', () => {
  const SLOT_STATUSES = new Set(['busy', 'free', 'busy-unavailable', 'busy-tentative', 'entered-in-error']);

  beforeAll(async () => {
    const slots: [string, string, string, string][] = [
      ['gp-s1', 'gp-a', 'free', '2027-03-03T09:00:00Z'],
      ['gp-s2', 'gp-a', 'busy', '2027-03-03T10:00:00Z'],
      ['gp-s3', 'gp-a', 'free', '2027-03-04T09:00:00Z'],
      ['gp-s4', 'gp-b', 'free', '2027-03-03T11:00:00Z'],
    ];
    for (const [id, schedule, status, start] of slots) {
      const end = new Date(Date.parse(start) + 1_800_000).toISOString();
      await store<Slot>({
        resourceType: 'Slot',
        id,
        schedule: { reference: `Schedule/${schedule}` },
        status: status as Slot['status'],
        start,
        end,
      });
    }
  });

  async function slotWindow(schedule: string, boundCodes?: ReadonlySet<string>): Promise<string[]> {
    const day = (prefix: string, value: string) => ({
      code: 'start',
      type: 'date' as const,
      singleValue: true,
      values: [{ prefix, value }],
    });
    const page = await repo.search({
      resourceTypes: ['Slot'],
      filters: [
        { code: 'schedule', type: 'reference', targetTypes: ['Schedule'], values: [{ value: `Schedule/${schedule}` }] },
        { code: 'status', type: 'token', values: [{ value: 'free' }], boundCodes },
        day('ge', '2027-03-03'),
        day('lt', '2027-03-04'),
      ],
      sort: [],
      count: 20,
      total: 'none',
    });
    return page.entries.map((entry) => entry.id);
  }

  const slotStatements = () => preparedLike('%FROM sp_reference d%');

  it('plans the page once, with the type, parameters and code written into it, for any schedule and window', async () => {
    expect(await slotWindow('gp-a', SLOT_STATUSES)).toEqual(['gp-s1']);
    expect(await slotWindow('gp-b', SLOT_STATUSES)).toEqual(['gp-s4']);
    expect(await slotWindow('gp-none', SLOT_STATUSES)).toEqual([]);
    const [statement] = await slotStatements();
    expect(statement.statement).toContain(`d.resource_type = 'Slot' AND d.param = 'schedule'`);
    expect(statement.statement).toContain(`.code = 'free'`);
    expect([statement.generic, statement.custom]).toEqual([3, 0]);
  });

  it('plans a starts-with page once: the prefix is its index range', async () => {
    for (const family of ['Anchored', 'Other']) {
      await repo.search({
        resourceTypes: ['Patient'],
        filters: [{ code: 'family', type: 'string', values: [{ value: family }] }],
        sort: [],
        count: 10,
        total: 'none',
      });
    }
    expect(await planCountsLike(`%d.param = 'family'%`)).toEqual([[2, 0]]);
  });

  it("plans the first free slot of a schedule from a time on (sorted by start) once: the filter's bound on the walk is a key", async () => {
    const firstFree = async (schedule: string) =>
      (await slotsByStart(schedule, { status: 'free', from: '2027-03-03T09:30:00Z' })).entries.map((entry) => entry.id);
    expect(await firstFree('gp-a')).toEqual(['gp-s3']);
    expect(await firstFree('gp-b')).toEqual(['gp-s4']);
    expect(await startWalks()).toEqual([[2, 0]]);
  });

  it("plans the pages after a cursor once as well: the cursor's values are keys", async () => {
    const first = await slotsByStart('gp-a', {});
    const second = await slotsByStart('gp-a', { cursor: first.nextCursor });
    const third = await slotsByStart('gp-a', { cursor: second.nextCursor });
    expect([first, second, third].map((page) => page.entries.map((entry) => entry.id))).toEqual([['gp-s1'], ['gp-s2'], ['gp-s3']]);
    expect(await startWalks()).toEqual([
      [2, 0],
      [1, 0],
      [2, 0],
    ]);
  });

  function slotsByStart(schedule: string, options: { status?: string; from?: string; cursor?: string }) {
    return repo.search({
      resourceTypes: ['Slot'],
      filters: [
        { code: 'schedule', type: 'reference', targetTypes: ['Schedule'], values: [{ value: `Schedule/${schedule}` }] },
        ...(options.status
          ? [{ code: 'status', type: 'token' as const, values: [{ value: options.status }], boundCodes: SLOT_STATUSES }]
          : []),
        ...(options.from
          ? [{ code: 'start', type: 'date' as const, singleValue: true, values: [{ prefix: 'ge', value: options.from }] }]
          : []),
      ],
      sort: [{ code: 'start', type: 'date', descending: false, singleInstant: true }],
      count: 1,
      total: 'none',
      cursor: options.cursor,
    });
  }

  /** Plan counts of each walk of the `start` index, oldest statement first. */
  const startWalks = () => planCountsLike(`%x.param = 'start'%`);

  it('plans the page for each call when a value may be anything (a code of no closed set)', async () => {
    expect(await slotWindow('gp-a')).toEqual(['gp-s1']);
    expect(await slotWindow('gp-b')).toEqual(['gp-s4']);
    const statements = await slotStatements();
    expect(statements).toHaveLength(2);
    expect(statements[1].statement).not.toContain(`'Slot'`);
    expect([statements[1].generic, statements[1].custom]).toEqual([0, 2]);
  });
});

describe('a filtered walk (one token filter, sorted by a parameter of one row per resource)', () => {
  beforeAll(async () => {
    for (let i = 0; i < 240; i++) {
      await store<PractitionerRole>({
        resourceType: 'PractitionerRole',
        id: `walk-${i}`,
        specialty: [{ coding: [{ system: 'urn:specialty', code: i % 2 ? 'odd' : 'even' }] }],
        period: { start: `2027-01-01T00:00:${String(59 - (i % 60)).padStart(2, '0')}Z` },
      });
    }
  });

  async function firstByDate(specialty: string): Promise<string[]> {
    const page = await repo.search({
      resourceTypes: ['PractitionerRole'],
      filters: [
        { code: 'specialty', type: 'token', values: [{ value: `urn:specialty|${specialty}`, parts: ['urn:specialty', specialty] }] },
      ],
      sort: [{ code: 'date', type: 'date', descending: false, singleValue: true }],
      count: 3,
      total: 'none',
    });
    return page.entries.map((entry) => entry.id);
  }

  it('plans the walk once, with the type and parameters written into it, for any code', async () => {
    expect(await firstByDate('even')).toEqual(['walk-118', 'walk-178', 'walk-238']);
    expect(await firstByDate('odd')).toEqual(['walk-119', 'walk-179', 'walk-239']);
    const walks = await preparedLike(`%x.param = 'date'%`);
    expect(walks).toHaveLength(1);
    expect(walks[0].statement).toContain(`x.resource_type = 'PractitionerRole' AND x.param = 'date'`);
    expect([walks[0].generic, walks[0].custom]).toEqual([2, 0]);
  });
});

describe('a page sorted by a quantity and the id', () => {
  it('is planned once when anchored: the canonical unit system its sort key leaves out is written into it', async () => {
    for (const [id, subject, value] of [
      ['q-1', 'q-a', 80],
      ['q-2', 'q-a', 60],
      ['q-3', 'q-b', 70],
    ] as const) {
      await store<Observation>({
        resourceType: 'Observation',
        id,
        status: 'final',
        code: { text: 'weight' },
        subject: { reference: `Patient/${subject}` },
        valueQuantity: { value, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
      });
    }
    const lightestFirst = async (patient: string) =>
      (
        await repo.search({
          resourceTypes: ['Observation'],
          filters: [{ code: 'subject', type: 'reference', targetTypes: ['Patient'], values: [{ value: `Patient/${patient}` }] }],
          sort: [
            { code: 'value-quantity', type: 'quantity', descending: false },
            { code: '_id', type: 'token', descending: true },
          ],
          count: 10,
          total: 'none',
        })
      ).entries.map((entry) => entry.id);
    expect(await lightestFirst('q-a')).toEqual(['q-2', 'q-1']);
    expect(await lightestFirst('q-b')).toEqual(['q-3']);
    expect(await planCountsLike(`%(SELECT min(k.low) FROM sp_quantity k%'urn:medbuddy:ucum-canonical'%`)).toEqual([[2, 0]]);
  });
});

describe('token filters tested against a hash of their matches', () => {
  // 300 patients: 240 women, 60 men; every other one speaks German.
  beforeAll(async () => {
    for (let i = 0; i < 300; i++) {
      await store<Patient>({
        resourceType: 'Patient',
        id: `hash-${i}`,
        gender: i < 240 ? 'female' : 'male',
        communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: i % 2 ? 'fr' : 'de' }] } }],
        birthDate: `19${50 + (i % 7)}-01-01`,
        name: [{ family: `F${String(i).padStart(3, '0')}` }],
      });
    }
  });

  const byBirthDateThenFamily: SortRule[] = [
    { code: 'birthdate', type: 'date', descending: false },
    { code: 'family', type: 'string', descending: false },
  ];

  /** Every match, page by page: sorted by birth date then family (keys computed per match) or by family (its index walked). */
  async function allPages(gender: string, sort = byBirthDateThenFamily): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await repo.search({
        resourceTypes: ['Patient'],
        filters: [
          { code: 'gender', type: 'token', values: [{ value: gender }] },
          { code: 'language', type: 'token', values: [{ value: 'de' }] },
        ],
        sort,
        count: 25,
        total: 'none',
        cursor,
      });
      ids.push(...page.entries.map((entry) => entry.id));
      cursor = page.nextCursor;
    } while (cursor);
    return ids;
  }

  /** The German speakers among patients from..to-1, by birth date (i % 7) then family (i), or by family alone. */
  function expected(from: number, to: number, sort = byBirthDateThenFamily): string[] {
    const matches = Array.from({ length: to - from }, (_, k) => from + k).filter((i) => i % 2 === 0);
    const byBirthDate = (a: number, b: number) => (sort.length > 1 ? (a % 7) - (b % 7) : 0);
    return matches.sort((a, b) => byBirthDate(a, b) || a - b).map((i) => `hash-${i}`);
  }

  it('drives from the filter with fewer matches (150 speak German) and hashes the 240 women once', async () => {
    expect(await allPages('female')).toEqual(expected(0, 240));
    const hashed = await preparedLike('%(d.resource_id IN (SELECT h%');
    expect(hashed.length).toBeGreaterThan(0);
    for (const { statement } of hashed) {
      expect(statement).toMatch(/\(d\.resource_id IN \(SELECT h\d+\.resource_id FROM sp_token h\d+ WHERE .*\)\) IS TRUE/);
    }
  });

  it('tests the index rows it walks against the hash when sorted by one parameter', async () => {
    const byFamily: SortRule[] = [{ code: 'family', type: 'string', descending: false }];
    expect(await allPages('female', byFamily)).toEqual(expected(0, 240, byFamily));
    const walks = await preparedLike('%FROM sp_string x%(x.resource_id IN (SELECT d.resource_id FROM sp_token d %(SELECT h%');
    expect(walks.length).toBeGreaterThan(0);
  });

  it('looks up the other filter per match when the fewest matches are few (60 men)', async () => {
    const before = (await preparedLike('%resource_id IN (SELECT h%')).length;
    expect(await allPages('male')).toEqual(expected(240, 300));
    expect(await preparedLike('%resource_id IN (SELECT h%')).toHaveLength(before);
  });
});

describe('statement timeout', () => {
  // One connection, so the statement after the cancelled one runs on the same session. A
  // second, not less: the other statements must not be cancelled on a machine under load.
  const timed = new PgPoolExecutor(testDatabaseUrl(), 1, 1000);
  afterAll(() => timed.close());

  it('is a setting of every session of the pool; without one, statements never time out', async () => {
    const setting = 'SELECT current_setting(?) AS setting';
    expect((await timed.raw<{ setting: string }>(setting, ['statement_timeout'])).rows[0].setting).toBe('1s');
    expect(await sessionSetting('statement_timeout')).toBe('0');
  });

  it('cancels a longer statement as StatementTimeoutError; the pool answers the next one', async () => {
    const sleep = timed.raw('SELECT pg_sleep(5)');
    await expect(sleep).rejects.toBeInstanceOf(StatementTimeoutError);
    await expect(sleep).rejects.toThrow(/stopped after 1 s/);
    expect((await timed.raw<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('cancels a statement inside a transaction, which is then rolled back', async () => {
    await timed.raw('CREATE TEMP TABLE IF NOT EXISTS timeout_probe (n int)');
    const tx = timed.transaction(async (sql) => {
      await sql.raw('INSERT INTO timeout_probe VALUES (1)');
      await sql.raw('SELECT pg_sleep(5)');
    });
    await expect(tx).rejects.toBeInstanceOf(StatementTimeoutError);
    expect((await timed.raw('SELECT n FROM timeout_probe')).rows).toEqual([]);
  });
});
