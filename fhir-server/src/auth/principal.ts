import type { ParsedScopes } from './scopes';

export type Role = 'patient' | 'doctor' | 'admin';

/**
 * Who is calling, as established from the bearer token. `user` is a person signed in
 * through a client app; `client` is a backend service acting for itself (SMART Backend Services).
 */
export type Principal =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user';
      readonly accountId: string;
      readonly role: Role;
      /** The user's own FHIR resource, `Patient/<id>` or `Practitioner/<id>` (admins may have none). */
      readonly profile?: string;
      readonly clientId: string;
      readonly scopes: ParsedScopes;
      /** Patient id in launch context (SMART `patient`), for `patient/` scopes. */
      readonly patient?: string;
    }
  | { readonly kind: 'client'; readonly clientId: string; readonly scopes: ParsedScopes };

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** A short, PHI-free description for audit and logs: `Practitioner/12`, `client:backend-x`. */
export function principalLabel(principal: Principal): string {
  switch (principal.kind) {
    case 'anonymous':
      return 'anonymous';
    case 'client':
      return `client:${principal.clientId}`;
    case 'user':
      return principal.profile ?? `account:${principal.accountId}`;
  }
}
