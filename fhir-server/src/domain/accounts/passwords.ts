import argon2 from 'argon2';

/**
 * argon2id with OWASP's first recommended configuration (Password Storage Cheat Sheet):
 * 19 MiB of memory, 2 iterations, 1 lane. Memory-hardness is what slows GPU guessing; on
 * this 2-core server one hash takes about 20-30 ms, so logins stay quick while an offline
 * attacker pays the same per guess. Parameters are stored in each hash, so raising them
 * later only affects new hashes (and rehash-on-login could upgrade old ones).
 */
const OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, OPTIONS);
}

let dummyHash: Promise<string> | undefined;

/**
 * Verifies a password; with no stored hash (unknown e-mail) it still spends the time of one
 * verification, so response times do not reveal whether an account exists.
 */
export async function verifyPassword(hash: string | undefined, password: string): Promise<boolean> {
  if (!hash) {
    dummyHash ??= hashPassword('not-a-real-password-only-for-timing');
    await argon2.verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return argon2.verify(hash, password).catch(() => false);
}
