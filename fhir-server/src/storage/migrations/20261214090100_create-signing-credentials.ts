import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * `signing_credential`: the platform's document signing key and certificate (PKCS#12, base64),
 * generated once on first start (storage/signing-credentials.ts) and shared by every process.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE signing_credential (
      name text PRIMARY KEY,
      pkcs12 text NOT NULL,
      passphrase text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(knex, `DROP TABLE IF EXISTS signing_credential;`);
}
