import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, jwtVerify, type JSONWebKeySet } from 'jose';
import type { AccountStore, ClientRow } from '../../storage/account-store';
import { AccountError } from './account-errors';

export const JWT_BEARER_ASSERTION = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART Backend Services requires RS384 or ES384 support; the 256 variants are accepted too. */
export const ASSERTION_ALGORITHMS = ['RS384', 'ES384', 'RS256', 'ES256'];
const MAX_LIFETIME_SECONDS = 5 * 60;

/**
 * Authenticates a backend client by its signed assertion (SMART Backend Services,
 * `private_key_jwt`, RFC 7523): iss = sub = client id, aud = our token endpoint, at most
 * five minutes of validity, a jti never seen before, signed by a key of the client's JWKS.
 */
export class ClientAssertionVerifier {
  private readonly remoteSets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  constructor(
    private readonly store: AccountStore,
    private readonly tokenEndpoint: string,
  ) {}

  async verify(assertion: string, findClient: (id: string) => Promise<ClientRow | undefined>): Promise<ClientRow> {
    let clientId: unknown;
    try {
      clientId = decodeJwt(assertion).iss;
    } catch {
      throw invalidClient('client_assertion is not a JWT');
    }
    const client = typeof clientId === 'string' ? await findClient(clientId) : undefined;
    if (!client || client.kind !== 'backend') {
      throw invalidClient('Unknown client');
    }
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, this.keySet(client), {
        issuer: client.id,
        subject: client.id,
        audience: this.tokenEndpoint,
        algorithms: ASSERTION_ALGORITHMS,
        requiredClaims: ['exp', 'jti'],
      }));
    } catch (error) {
      throw invalidClient(`The client assertion was not accepted: ${(error as Error).message}`);
    }
    if ((payload.exp as number) - Math.floor(Date.now() / 1000) > MAX_LIFETIME_SECONDS) {
      throw invalidClient('The client assertion must expire within five minutes');
    }
    if (!(await this.store.recordClientAssertion(`${client.id}:${payload.jti}`, new Date((payload.exp as number) * 1000)))) {
      throw invalidClient('The client assertion was already used (jti replay)');
    }
    return client;
  }

  private keySet(client: ClientRow) {
    if (client.jwks) {
      return createLocalJWKSet(JSON.parse(client.jwks) as JSONWebKeySet);
    }
    let remote = this.remoteSets.get(client.jwksUrl as string);
    if (!remote) {
      remote = createRemoteJWKSet(new URL(client.jwksUrl as string), { timeoutDuration: 5000, cooldownDuration: 30_000 });
      this.remoteSets.set(client.jwksUrl as string, remote);
    }
    return remote;
  }
}

function invalidClient(message: string): AccountError {
  return new AccountError('invalid-client', message);
}
