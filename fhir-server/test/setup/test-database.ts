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
/**
 * A migrated throwaway database opened as `processes` separate pools, as that many server
 * processes would open it (the first ran the migrations); `close` closes them and drops it.
 */
export async function openThrowawayDatabases(processes: number, poolSize: number): Promise<{ dbs: Database[]; close(): Promise<void> }> {
  const database = await createThrowawayDatabase();
  const dbs: Database[] = [];
  for (let n = 0; n < processes; n++) {
    const db = await openDatabase({ kind: 'postgres', url: database.url, poolSize });
    if (n === 0) {
      await db.migrate();
    }
    dbs.push(db);
  }
  return {
    dbs,
    close: async () => {
      await Promise.all(dbs.map((db) => db.close()));
      await database.drop();
    },
  };
}

/** One migrated throwaway database and its pool (openThrowawayDatabases for one process). */
export async function openThrowawayDatabase(poolSize: number): Promise<{ db: Database; close(): Promise<void> }> {
  const { dbs, close } = await openThrowawayDatabases(1, poolSize);
  return { db: dbs[0], close };
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
