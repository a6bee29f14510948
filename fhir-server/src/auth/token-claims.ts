import type { Principal, Role } from './principal';
import { parseScopes } from './scopes';

/** Access-token lifetime (SMART recommends short-lived access tokens; the issue sets 15 minutes). */
export const ACCESS_TOKEN_SECONDS = 15 * 60;
/** Refresh tokens live 7 days and rotate on every use. */
export const REFRESH_TOKEN_SECONDS = 7 * 24 * 60 * 60;

/** The claims of a MedBuddy access token (a JWT signed with the server's ES256 key). */
export interface AccessTokenClaims {
  readonly iss: string;
  /** The FHIR base URL the token is for (SMART `aud`). */
  readonly aud: string;
  /** Account id for a user, client id for a backend service. */
  readonly sub: string;
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  readonly client_id: string;
  readonly scope: string;
  /** Present for users only. */
  readonly role?: Role;
  /** The user's own resource, `Patient/<id>` or `Practitioner/<id>`. */
  readonly fhirUser?: string;
  /** Patient id in launch context (SMART `patient`). */
  readonly patient?: string;
}

const ROLES = new Set<string>(['patient', 'doctor', 'admin']);

/** The Principal a verified token stands for; undefined if the claims are not well-formed. */
export function principalFromClaims(claims: Partial<AccessTokenClaims>): Principal | undefined {
  if (typeof claims.sub !== 'string' || typeof claims.client_id !== 'string' || typeof claims.scope !== 'string') {
    return undefined;
  }
  const scopes = parseScopes(claims.scope);
  if (claims.role === undefined) {
    return { kind: 'client', clientId: claims.client_id, scopes };
  }
  if (!ROLES.has(claims.role)) {
    return undefined;
  }
  return {
    kind: 'user',
    accountId: claims.sub,
    role: claims.role,
    profile: typeof claims.fhirUser === 'string' ? claims.fhirUser : undefined,
    clientId: claims.client_id,
    scopes,
    patient: typeof claims.patient === 'string' ? claims.patient : undefined,
  };
}
