import { patientCompartmentParams } from '../definitions';
import type { Principal } from './principal';
import {
  ADMIN_ONLY_TYPES,
  CARE_RELATIONSHIP_TYPES,
  CREDENTIAL_DOCUMENT_TYPES,
  DIRECTORY_TYPES,
  OWN_SCHEDULE_TYPES,
  IMMUTABLE_TYPES,
  isPublicType,
  REFERENCE_DATA_TYPES,
  TERMINOLOGY_TYPES,
} from './resource-policy';
import { matchingScopes, type Interaction } from './scopes';

/**
 * One way a principal may see or change resources of a type. A resource is accessible when
 * any grant for its type admits it (OR); storage/ compiles grants to SQL (reads) and checks
 * them on every write, so no route can forget them.
 */
export type AccessGrant =
  /** Every resource of the type. */
  | { readonly kind: 'all' }
  /** Resources in one of these Patient compartments (`Patient/<id>`); a write must stay inside them. */
  | { readonly kind: 'compartment'; readonly patients: readonly string[] }
  /** Resources in the compartment of a patient this practitioner has an Appointment or Encounter with. */
  | { readonly kind: 'care-of'; readonly practitioner: string }
  /** Public directory entries (verified practitioners, their roles, schedules, free slots; organisations; terminology). */
  | { readonly kind: 'public' }
  /**
   * A practitioner's own Practitioner, PractitionerRoles, Schedules and their Slots, credential
   * documents (DocumentReference and Binary); (to read) the Appointments and Encounters they take part in.
   */
  | { readonly kind: 'own-practitioner-data'; readonly practitioner: string }
  /** Every practitioner's credential documents (auth/resource-policy.ts credentialOwner): what administrators verify. */
  | { readonly kind: 'practitioner-credentials' };

export type WriteInteraction = 'c' | 'u' | 'd';

/** What storage needs to filter one request: the principal and its grants per type. */
export interface AccessContext {
  readonly principal: Principal;
  /** No filter applies anywhere (a system client with `system/*.*`). Storage skips all checks. */
  readonly unrestricted: boolean;
  /** Type-level permission, before any instance filter: the router's 401/403 decision. */
  permits(resourceType: string, interaction: Interaction): boolean;
  /** Grants for seeing resources of a type (read, vread, search, history, _include). Empty: none. */
  readGrants(resourceType: string): readonly AccessGrant[];
  /** Grants for writing a resource of a type; the old and the new version must each satisfy one. */
  writeGrants(resourceType: string, interaction: WriteInteraction): readonly AccessGrant[];
}

const SUBSCRIPTION = 'Subscription';

/** Full access, for the server's own work (start-up, registration, audit) and `system/*.*` clients. */
export const FULL_ACCESS: AccessContext = {
  principal: {
    kind: 'client',
    clientId: 'medbuddy-server',
    scopes: { resources: [], launchPatient: false, openid: false, fhirUser: false, offlineAccess: false, granted: [] },
  },
  unrestricted: true,
  permits: (resourceType, interaction) => !(IMMUTABLE_TYPES.has(resourceType) && (interaction === 'u' || interaction === 'd')),
  readGrants: () => [{ kind: 'all' }],
  writeGrants: () => [{ kind: 'all' }],
};

/** The AccessContext of a principal: its role's policy intersected with its SMART scopes. */
export function accessContextFor(principal: Principal): AccessContext {
  const cache = new Map<string, readonly AccessGrant[]>();
  const grants = (resourceType: string, interaction: Interaction): readonly AccessGrant[] => {
    const key = `${resourceType}.${interaction}`;
    let found = cache.get(key);
    if (!found) {
      found = dedupe(grantsFor(principal, resourceType, interaction));
      cache.set(key, found);
    }
    return found;
  };
  return {
    principal,
    unrestricted: isUnrestricted(principal),
    permits: (resourceType, interaction) => grants(resourceType, interaction).length > 0,
    readGrants: (resourceType) => dedupe([...grants(resourceType, 'r'), ...grants(resourceType, 's')]),
    writeGrants: (resourceType, interaction) => grants(resourceType, interaction),
  };
}

function isUnrestricted(principal: Principal): boolean {
  return (
    principal.kind === 'client' &&
    principal.scopes.resources.some((s) => s.context === 'system' && s.resourceType === '*' && s.interactions.size === 5)
  );
}

function grantsFor(principal: Principal, resourceType: string, interaction: Interaction): AccessGrant[] {
  if (IMMUTABLE_TYPES.has(resourceType) && (interaction === 'u' || interaction === 'd')) {
    return [];
  }
  // What anyone may read, every caller may read, whatever its scopes (validation reads terminology too).
  const result: AccessGrant[] = isPublicType(resourceType) && isRead(interaction) ? [{ kind: 'public' }] : [];
  if (principal.kind === 'anonymous') {
    return result;
  }
  for (const scope of matchingScopes(principal.scopes, resourceType, interaction)) {
    if (scope.context === 'system') {
      // Only backend clients act at system level; a user's token never carries system scopes.
      if (principal.kind === 'client') {
        result.push({ kind: 'all' });
      }
    } else if (principal.kind === 'user') {
      const patient = principal.patient ?? (principal.role === 'patient' ? idOf(principal.profile, 'Patient') : undefined);
      result.push(
        ...(scope.context === 'user'
          ? rolePolicy(principal.role, principal.profile, resourceType, interaction)
          : patientScopePolicy(patient, resourceType, interaction)),
      );
    }
  }
  return result;
}

/** What a role may do with `user/` scopes (least privilege: admins do not see clinical content). */
function rolePolicy(role: string, profile: string | undefined, resourceType: string, interaction: Interaction): AccessGrant[] {
  const read = isRead(interaction);
  if (ADMIN_ONLY_TYPES.has(resourceType)) {
    return role === 'admin' && read ? [{ kind: 'all' }] : [];
  }
  switch (role) {
    case 'patient': {
      if (!profile?.startsWith('Patient/')) {
        return [];
      }
      return compartmentAndPublic(profile, resourceType, read);
    }
    case 'doctor': {
      if (!profile?.startsWith('Practitioner/')) {
        return [];
      }
      const own: AccessGrant = { kind: 'own-practitioner-data', practitioner: profile };
      if (resourceType === SUBSCRIPTION) {
        // Criteria naming them and no patient (auth/subscription-subjects.ts); a patient's own
        // subscriptions stay theirs, even for the doctors in their care.
        return [own];
      }
      if (DIRECTORY_TYPES.has(resourceType)) {
        return read ? [{ kind: 'public' }, own] : [own];
      }
      if (TERMINOLOGY_TYPES.has(resourceType)) {
        return read ? [{ kind: 'public' }] : [];
      }
      if (OWN_SCHEDULE_TYPES.has(resourceType) && read) {
        // A doctor sees the appointments they take part in, not their patients' others; writes stay
        // within the care relationship (care-of), so no one becomes a doctor's patient by a write.
        return [own];
      }
      if (inPatientCompartment(resourceType)) {
        // Their own appointments and encounters stay visible when cancelled (no longer care);
        // their own credential documents are theirs to upload, read and (before verification) remove.
        return (read && CARE_RELATIONSHIP_TYPES.includes(resourceType)) || CREDENTIAL_DOCUMENT_TYPES.has(resourceType)
          ? [{ kind: 'care-of', practitioner: profile }, own]
          : [{ kind: 'care-of', practitioner: profile }];
      }
      // Shared reference data (Medication, Questionnaire, ...): readable, not writable.
      return read && REFERENCE_DATA_TYPES.has(resourceType) ? [{ kind: 'all' }] : [];
    }
    case 'admin':
      if (read && CREDENTIAL_DOCUMENT_TYPES.has(resourceType)) {
        // Doctors' licences and diplomas, to verify them; never patients' documents.
        return [{ kind: 'practitioner-credentials' }];
      }
      return isPublicType(resourceType) ? [{ kind: 'all' }] : [];
    default:
      return [];
  }
}

/** `patient/` scopes: the patient in context's compartment, plus the public directory. */
function patientScopePolicy(patientId: string | undefined, resourceType: string, interaction: Interaction): AccessGrant[] {
  if (!patientId || ADMIN_ONLY_TYPES.has(resourceType)) {
    return [];
  }
  return compartmentAndPublic(`Patient/${patientId}`, resourceType, isRead(interaction));
}

/** A patient's own compartment, and (to read) the public directory; Schedule is both. */
function compartmentAndPublic(patient: string, resourceType: string, read: boolean): AccessGrant[] {
  const grants: AccessGrant[] = [];
  // A Subscription is in the compartments its criteria are limited to (auth/subscription-subjects.ts).
  if (inPatientCompartment(resourceType) || resourceType === SUBSCRIPTION) {
    grants.push({ kind: 'compartment', patients: [patient] });
  }
  if (read && isPublicType(resourceType)) {
    grants.push({ kind: 'public' });
  }
  return grants;
}

/** Binary is not in compartmentdefinition-patient; storage files it under its securityContext's patient. */
export function inPatientCompartment(resourceType: string): boolean {
  return resourceType === 'Patient' || resourceType === 'Binary' || patientCompartmentParams(resourceType).length > 0;
}

function isRead(interaction: Interaction): boolean {
  return interaction === 'r' || interaction === 's';
}

function idOf(reference: string | undefined, type: string): string | undefined {
  return reference?.startsWith(`${type}/`) ? reference.slice(type.length + 1) : undefined;
}

function dedupe(grants: AccessGrant[]): AccessGrant[] {
  const seen = new Map<string, AccessGrant>();
  for (const grant of grants) {
    seen.set(JSON.stringify(grant), grant);
  }
  const all = [...seen.values()];
  return all.some((g) => g.kind === 'all') ? [{ kind: 'all' }] : all;
}
