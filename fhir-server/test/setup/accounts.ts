import { randomUUID } from 'node:crypto';
import type { Role } from '../../src/auth/principal';
import { hashPassword } from '../../src/domain/accounts/passwords';
import type { TestServer } from './test-server';

export const TEST_PASSWORD = 'a long and private passphrase';

/** A signed-up, e-mail-verified account linked to a new Patient or Practitioner (admins: none). */
export async function createAccount(
  server: TestServer,
  role: Role,
  options: { email?: string; password?: string; verified?: boolean } = {},
): Promise<{ email: string; password: string; accountId: string; profile?: string }> {
  let profile: string | undefined;
  if (role !== 'admin') {
    const resource = role === 'patient' ? { resourceType: 'Patient' } : { resourceType: 'Practitioner', active: true };
    const res = await server.request
      .post(`/fhir/${resource.resourceType}`)
      .set('Content-Type', 'application/fhir+json')
      .send(JSON.stringify(resource));
    profile = `${resource.resourceType}/${JSON.parse(res.text).id}`;
  }
  const email = options.email ?? `${role}-${randomUUID()}@example.org`;
  const password = options.password ?? TEST_PASSWORD;
  const accountId = randomUUID();
  await server.security.store.insertAccount({
    id: accountId,
    email,
    passwordHash: await hashPassword(password),
    role,
    profile,
    emailVerified: options.verified ?? true,
  });
  return { email, password, accountId, profile };
}
