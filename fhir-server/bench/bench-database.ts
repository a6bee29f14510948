import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** The PostgreSQL server the bench runs on (a maintenance database URL). */
export function adminDatabaseUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The URL of another database on the same server. */
export function databaseUrl(name: string): string {
  const url = new URL(adminDatabaseUrl());
  url.pathname = '/' + name;
  return url.toString();
}

export function throwawayName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** Runs one statement on the maintenance database (CREATE/DROP DATABASE cannot run in a transaction). */
export async function adminQuery<Row = Record<string, unknown>>(sql: string, bindings: unknown[] = []): Promise<Row[]> {
  const client = new Client({ connectionString: adminDatabaseUrl(), connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return (await client.query(sql, bindings)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** Creates a database, empty or as a copy of a template; names are generated, never user text. */
export async function createDatabase(name: string, template?: string): Promise<string> {
  await adminQuery(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  return databaseUrl(name);
}

export async function dropDatabase(name: string): Promise<void> {
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}

export async function databaseComment(name: string): Promise<string | undefined> {
  const rows = await adminQuery<{ comment: string | null }>(
    'SELECT shobj_description(oid, $1) AS comment FROM pg_database WHERE datname = $2',
    ['pg_database', name],
  );
  return rows[0] ? (rows[0].comment ?? '') : undefined;
}

export async function setDatabaseComment(name: string, comment: string): Promise<void> {
  await adminQuery(`COMMENT ON DATABASE ${name} IS '${comment.replace(/'/g, "''")}'`);
}

export async function renameDatabase(from: string, to: string): Promise<void> {
  await adminQuery(`ALTER DATABASE ${from} RENAME TO ${to}`);
}
