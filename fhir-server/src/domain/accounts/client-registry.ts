import type { ClientRow, AccountStore } from '../../storage/account-store';
import { AccountError } from './account-errors';

/** What the two portals may ask for: user and patient scopes, never system ones. */
export const PORTAL_SCOPE = 'openid fhirUser profile launch launch/patient offline_access online_access patient/*.cruds user/*.cruds';

export const PATIENT_PORTAL = 'patient-portal';
export const CLINICIAN_PORTAL = 'clinician-portal';

/** Development servers of the portals (`ng serve`), allowed outside production. */
const DEV_REDIRECTS: Record<string, readonly string[]> = {
  [PATIENT_PORTAL]: ['http://localhost:4200/', 'http://127.0.0.1:4200/'],
  [CLINICIAN_PORTAL]: ['http://localhost:4201/', 'http://127.0.0.1:4201/'],
};

/** OAuth2 clients: the two portals (public, PKCE) and backend services (private_key_jwt). */
export class ClientRegistry {
  constructor(private readonly store: AccountStore) {}

  /** Registers (or refreshes) the portals at start-up, under `/patient/` and `/clinician/`. */
  async registerPortals(publicUrl: string, production: boolean): Promise<void> {
    for (const [id, name, path] of [
      [PATIENT_PORTAL, 'MedBuddy patient portal', '/patient/'],
      [CLINICIAN_PORTAL, 'MedBuddy clinician portal', '/clinician/'],
    ] as const) {
      await this.store.upsertClient({
        id,
        name,
        kind: 'public',
        redirectUris: [publicUrl + path, ...(production ? [] : DEV_REDIRECTS[id])],
        scope: PORTAL_SCOPE,
        jwks: null,
        jwksUrl: null,
      });
    }
  }

  /** A SMART Backend Services client authenticating with a key from its JWKS (inline or by URL). */
  async registerBackendClient(client: { id: string; name?: string; scope: string; jwks?: string; jwksUrl?: string }): Promise<ClientRow> {
    if (!/^[A-Za-z0-9._-]{3,64}$/.test(client.id)) {
      throw new AccountError('invalid-input', 'A client id has 3-64 letters, digits, dots, dashes or underscores');
    }
    if (!client.jwks === !client.jwksUrl) {
      throw new AccountError('invalid-input', 'Give either an inline JWKS or a JWKS URL');
    }
    if (client.jwks) {
      const keys = (JSON.parse(client.jwks) as { keys?: unknown[] }).keys;
      if (!Array.isArray(keys) || keys.length === 0) {
        throw new AccountError('invalid-input', 'The JWKS must have a non-empty "keys" array');
      }
    }
    if (client.jwksUrl && !/^https?:\/\//.test(client.jwksUrl)) {
      throw new AccountError('invalid-input', 'The JWKS URL must be http(s)');
    }
    const row: ClientRow = {
      id: client.id,
      name: client.name ?? client.id,
      kind: 'backend',
      redirectUris: [],
      scope: client.scope,
      jwks: client.jwks ?? null,
      jwksUrl: client.jwksUrl ?? null,
    };
    await this.store.upsertClient(row);
    return row;
  }

  find(id: string): Promise<ClientRow | undefined> {
    return /^[A-Za-z0-9._-]{1,64}$/.test(id) ? this.store.findClient(id) : Promise.resolve(undefined);
  }
}

/**
 * Whether a redirect URI is registered for the client: equal to a registered URI, or below a
 * registered one ending in `/` (same origin and path prefix; no `..`, fragment or credentials).
 */
export function isRegisteredRedirect(client: ClientRow, redirectUri: string): boolean {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return false;
  }
  if (url.hash || url.username || url.password || redirectUri.includes('..')) {
    return false;
  }
  return client.redirectUris.some(
    (registered) => redirectUri === registered || (registered.endsWith('/') && redirectUri.startsWith(registered)),
  );
}
