import type { SqlExecutor } from './sql-executor';

/** A PKCS#12 bundle (private key and certificate chain) and its passphrase. */
export interface SigningCredential {
  readonly pkcs12: Buffer;
  readonly passphrase: string;
}

/**
 * The named credential, created with `generate` the first time any process asks (first start).
 * Concurrent first starts race on the primary key; every process then uses the stored one.
 */
export async function loadOrCreateSigningCredential(
  db: SqlExecutor,
  name: string,
  generate: () => SigningCredential,
): Promise<SigningCredential> {
  const existing = await read(db, name);
  if (existing) {
    return existing;
  }
  const fresh = generate();
  await db.raw(`INSERT INTO signing_credential (name, pkcs12, passphrase) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`, [
    name,
    fresh.pkcs12.toString('base64'),
    fresh.passphrase,
  ]);
  return (await read(db, name)) as SigningCredential;
}

async function read(db: SqlExecutor, name: string): Promise<SigningCredential | undefined> {
  const { rows } = await db.raw<{ pkcs12: string; passphrase: string }>(
    `SELECT pkcs12, passphrase FROM signing_credential WHERE name = ?`,
    [name],
  );
  return rows[0] && { pkcs12: Buffer.from(rows[0].pkcs12, 'base64'), passphrase: rows[0].passphrase };
}
