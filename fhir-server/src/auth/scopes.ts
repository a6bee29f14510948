/**
 * SMART on FHIR scopes, v1 and v2 (https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html).
 *
 * v1: `patient/Observation.read`, `user/*.write`, `system/*.*`
 * v2: `patient/Observation.rs`, `user/*.cruds` (letters in this order), optionally followed by
 * `?param=value` search constraints. This server cannot enforce such constraints yet, so a
 * constrained scope grants nothing rather than more than it says.
 */

/** The SMART v2 interaction letters: create, read, update, delete, search. */
export type Interaction = 'c' | 'r' | 'u' | 'd' | 's';
export type ScopeContext = 'patient' | 'user' | 'system';

export interface ResourceScope {
  readonly context: ScopeContext;
  /** A resource type, or `*` for every type. */
  readonly resourceType: string;
  readonly interactions: ReadonlySet<Interaction>;
}

export interface ParsedScopes {
  readonly resources: readonly ResourceScope[];
  /** `launch/patient`: the app asks for a patient in context. */
  readonly launchPatient: boolean;
  readonly openid: boolean;
  readonly fhirUser: boolean;
  readonly offlineAccess: boolean;
  /** Every recognised scope token, normalised, in request order (for the `scope` response). */
  readonly granted: readonly string[];
}

const V1_ACTIONS: Record<string, readonly Interaction[]> = {
  read: ['r', 's'],
  write: ['c', 'u', 'd'],
  '*': ['c', 'r', 'u', 'd', 's'],
};
const V2_LETTERS = /^c?r?u?d?s?$/;
const RESOURCE_SCOPE = /^(patient|user|system)\/(\*|[A-Z][A-Za-z]{1,63})\.([a-z*]{1,5})$/;
const PLAIN_SCOPES = new Set(['openid', 'fhirUser', 'profile', 'launch', 'launch/patient', 'offline_access', 'online_access']);

/** Parses a space-separated scope string; unknown or malformed tokens are dropped. */
export function parseScopes(scope: string | undefined): ParsedScopes {
  const resources: ResourceScope[] = [];
  const granted: string[] = [];
  const tokens = (scope ?? '').split(/\s+/).filter(Boolean);
  for (const token of tokens) {
    if (PLAIN_SCOPES.has(token)) {
      granted.push(token);
      continue;
    }
    const parsed = parseResourceScope(token);
    if (parsed) {
      resources.push(parsed);
      granted.push(token);
    }
  }
  return {
    resources,
    launchPatient: granted.includes('launch/patient'),
    openid: granted.includes('openid'),
    fhirUser: granted.includes('fhirUser'),
    offlineAccess: granted.includes('offline_access'),
    granted: [...new Set(granted)],
  };
}

function parseResourceScope(token: string): ResourceScope | undefined {
  const match = RESOURCE_SCOPE.exec(token);
  if (!match) {
    return undefined;
  }
  const [, context, resourceType, action] = match;
  const interactions =
    V1_ACTIONS[action] ?? (V2_LETTERS.test(action) && action.length > 0 ? (action.split('') as Interaction[]) : undefined);
  if (!interactions) {
    return undefined;
  }
  return { context: context as ScopeContext, resourceType, interactions: new Set(interactions) };
}

/** The resource scopes that permit this interaction on this type. */
export function matchingScopes(scopes: ParsedScopes, resourceType: string, interaction: Interaction): ResourceScope[] {
  return scopes.resources.filter((s) => (s.resourceType === '*' || s.resourceType === resourceType) && s.interactions.has(interaction));
}

/**
 * Narrows requested scopes to what a client may have: each requested resource scope is kept
 * when an allowed scope of the same context covers its type and every one of its interactions.
 */
export function narrowScopes(requested: string, allowed: string): string {
  const permitted = parseScopes(allowed);
  const plain = new Set(permitted.granted.filter((t) => PLAIN_SCOPES.has(t)));
  const kept: string[] = [];
  for (const token of parseScopes(requested).granted) {
    if (PLAIN_SCOPES.has(token)) {
      if (plain.has(token)) {
        kept.push(token);
      }
      continue;
    }
    const wanted = parseResourceScope(token) as ResourceScope;
    const covered = permitted.resources.some(
      (p) =>
        p.context === wanted.context &&
        (p.resourceType === '*' || p.resourceType === wanted.resourceType) &&
        [...wanted.interactions].every((i) => p.interactions.has(i)),
    );
    if (covered) {
      kept.push(token);
    }
  }
  return kept.join(' ');
}
