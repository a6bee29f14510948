import { Client } from 'pg';
import { testDatabaseUrl } from './test-database';

/** Fails fast, with a clear message, when the PostgreSQL that the tests need is not reachable. */
export default async function globalSetup(): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(`Tests need PostgreSQL at ${testDatabaseUrl()} (set DATABASE_URL): ${String(error)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}
