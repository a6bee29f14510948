import { openThrowawayDatabase } from '../../test/setup/test-database';
import { FULL_ACCESS } from '../auth/access-context';
import { loadFhirDefinitions } from '../definitions';
import type { Database } from './db';
import { PgRepository } from './pg-repository';

/**
 * Search pages run as prepared statements (parsed once per connection) that PostgreSQL plans
 * for each call's values: a generic plan, chosen after five calls, was 100x slower for skewed data.
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

it('prepares a search page once and reuses it for other values of the same shape', async () => {
  for (const family of ['Prepared', 'Other', 'Third', 'Fourth', 'Fifth', 'Sixth', 'Seventh']) {
    await repo.search({
      resourceTypes: ['Patient'],
      filters: [{ code: 'family', type: 'string', values: [{ value: family }] }],
      sort: [],
      count: 10,
      total: 'none',
    });
  }
  const { rows } = await db.sql.raw<{ statement: string; generic_plans: string; custom_plans: string }>(
    `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE '%FROM sp_string%'`,
  );
  expect(rows).toHaveLength(1);
  expect(Number(rows[0].custom_plans)).toBe(7);
  expect(Number(rows[0].generic_plans)).toBe(0);
});
