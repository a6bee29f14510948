import type { Principal, Role } from './principal';
import { parseScopes } from './scopes';

/**
 * A principal as stored with a resource it wrote (the owner of a Subscription), so access can
 * be checked later for that principal without its token. Scopes are kept as granted text.
 */
export type PrincipalRecord =
  | { readonly kind: 'anonymous' }
  | { readonly kind: 'client'; readonly clientId: string; readonly scope: string }
  | {
      readonly kind: 'user';
      readonly accountId: string;
      readonly role: Role;
      readonly profile?: string;
      readonly clientId: string;
      readonly scope: string;
      readonly patient?: string;
    };

export function toPrincipalRecord(principal: Principal): PrincipalRecord {
  switch (principal.kind) {
    case 'anonymous':
      return { kind: 'anonymous' };
    case 'client':
      return { kind: 'client', clientId: principal.clientId, scope: principal.scopes.granted.join(' ') };
    case 'user':
      return {
        kind: 'user',
        accountId: principal.accountId,
        role: principal.role,
        profile: principal.profile,
        clientId: principal.clientId,
        scope: principal.scopes.granted.join(' '),
        patient: principal.patient,
      };
  }
}

export function fromPrincipalRecord(record: PrincipalRecord): Principal {
  switch (record.kind) {
    case 'client':
      return { kind: 'client', clientId: record.clientId, scopes: parseScopes(record.scope) };
    case 'user':
      return {
        kind: 'user',
        accountId: record.accountId,
        role: record.role,
        profile: record.profile,
        clientId: record.clientId,
        scopes: parseScopes(record.scope),
        patient: record.patient,
      };
    default:
      return { kind: 'anonymous' };
  }
}
