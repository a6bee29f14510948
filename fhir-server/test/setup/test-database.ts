import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { openDatabase, type Database } from '../../src/storage/db';

/** The PostgreSQL server tests run against (a maintenance database URL). */
export function testDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** Which engine a test file runs on: `TEST_DB=pglite` (set by the jest project) or PostgreSQL. */
export function testEngine(): 'postgres' | 'pglite' {
  return process.env.TEST_DB === 'pglite' ? 'pglite' : 'postgres';
}

/** Creates a throwaway database and returns its URL and a function that drops it. */
export async function createThrowawayDatabase(prefix = 'medbuddy_test'): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(testDatabaseUrl());
  url.pathname = '/' + name;
  return {
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A migrated throwaway PostgreSQL database opened with a pool of `poolSize`; `close` also drops it. */
export async function openThrowawayDatabase(poolSize: number): Promise<{ db: Database; close(): Promise<void> }> {
  const database = await createThrowawayDatabase();
  const db = await openDatabase({ kind: 'postgres', url: database.url, poolSize });
  await db.migrate();
  return {
    db,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new Client({ connectionString: testDatabaseUrl() });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
