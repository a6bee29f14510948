import { randomUUID } from 'node:crypto';
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import { principalLabel, type Principal } from '../../auth/principal';

/**
 * AuditEvents in the shape of IHE Basic Audit Log Patterns (BALP,
 * https://profiles.ihe.net/ITI/BALP/): RESTful operations (`rest` + the FHIR interaction as
 * subtype) and security events (user authentication, token issue/refresh/revoke, account
 * changes). Pure: the caller supplies everything, including time and network address.
 */

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const REST_TYPE: Coding = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' };
const AUTHENTICATION_TYPE: Coding = { system: DCM, code: '110114', display: 'User Authentication' };
const SECURITY_SUBTYPES = 'https://medbuddy.org/fhir/CodeSystem/security-event';
const INTERACTION_SYSTEM = 'http://hl7.org/fhir/restful-interaction';
const ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
/** At most this many resources are listed per event (the count is kept in the description). */
export const MAX_ENTITIES = 100;

export type RestInteraction =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'create'
  | 'search-type'
  | 'batch'
  | 'transaction'
  | 'operation'
  | 'capabilities';

export interface AuditFacts {
  readonly principal: Principal;
  readonly recorded: Date;
  /** REST interaction, or a security action (`login`, `logout`, `token-refresh`, ...). */
  readonly interaction: RestInteraction | { readonly security: string };
  readonly status: number;
  readonly requestId: string;
  readonly sourceIp?: string;
  /** `Type/id` of the resources read or written (deduplicated by the caller). */
  readonly resources: readonly string[];
  /** `Patient/<id>` of every patient whose data was touched. */
  readonly patients: readonly string[];
  /** The search or operation query string (BALP records it base64-encoded). */
  readonly query?: string;
  /** Access granted through a care relationship (clinician and patient with an appointment/encounter). */
  readonly careRelationship?: boolean;
  /** The account acted on, for security events (login, reset) when the principal is anonymous. */
  readonly subject?: { readonly accountId?: string; readonly profile?: string | null; readonly clientId?: string };
  readonly detail?: string;
}

const ACTIONS: Record<RestInteraction, AuditEvent['action']> = {
  read: 'R',
  vread: 'R',
  'history-instance': 'R',
  'history-type': 'R',
  'history-system': 'R',
  capabilities: 'R',
  update: 'U',
  patch: 'U',
  delete: 'D',
  create: 'C',
  'search-type': 'E',
  batch: 'E',
  transaction: 'E',
  operation: 'E',
};

export function buildAuditEvent(facts: AuditFacts): AuditEvent & { id: string } {
  const recorded = facts.recorded.toISOString();
  const security = typeof facts.interaction === 'object' ? facts.interaction.security : undefined;
  const outcome: AuditEvent['outcome'] = facts.status < 400 ? '0' : facts.status < 500 ? '4' : '8';
  const event: AuditEvent & { id: string } = {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    meta: { versionId: '1', lastUpdated: recorded },
    type: security ? AUTHENTICATION_TYPE : REST_TYPE,
    subtype: [security ? { system: SECURITY_SUBTYPES, code: security } : { system: INTERACTION_SYSTEM, code: facts.interaction as string }],
    action: security ? 'E' : ACTIONS[facts.interaction as RestInteraction],
    recorded,
    outcome,
    outcomeDesc: facts.detail ? `${facts.status} ${facts.detail}` : String(facts.status),
    agent: agents(facts),
    source: {
      site: 'MedBuddy',
      observer: { display: 'MedBuddy FHIR server' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: entities(facts),
  };
  if (facts.careRelationship) {
    event.purposeOfEvent = [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' }],
        text: 'care relationship',
      },
    ];
  }
  return event;
}

function agents(facts: AuditFacts): AuditEventAgent[] {
  const { principal } = facts;
  const network = facts.sourceIp ? { address: facts.sourceIp, type: '2' as const } : undefined;
  const profile = principal.kind === 'user' ? principal.profile : (facts.subject?.profile ?? undefined);
  const accountId = principal.kind === 'user' ? principal.accountId : facts.subject?.accountId;
  const clientId = principal.kind === 'anonymous' ? facts.subject?.clientId : principal.clientId;
  const requestor: AuditEventAgent = {
    type: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }],
    },
    who: profile
      ? { reference: profile }
      : { display: principal.kind === 'anonymous' && !accountId ? 'anonymous' : principalLabel(principal) },
    requestor: true,
    ...(accountId ? { altId: accountId } : {}),
    ...(principal.kind === 'user' ? { role: [{ text: principal.role }] } : {}),
    ...(network ? { network } : {}),
  };
  const list = [requestor];
  if (clientId) {
    list.push({
      type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }] },
      who: { identifier: { system: 'urn:medbuddy:oauth-client', value: clientId } },
      requestor: false,
      ...(network ? { network } : {}),
    });
  }
  return list;
}

function entities(facts: AuditFacts): AuditEventEntity[] {
  const list: AuditEventEntity[] = [
    {
      what: { identifier: { system: 'urn:medbuddy:request-id', value: facts.requestId } },
      type: { system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/BasicAuditEntityType', code: 'XrequestId' },
    },
  ];
  const patients = facts.patients.slice(0, MAX_ENTITIES);
  for (const patient of patients) {
    list.push({
      what: { reference: patient },
      type: { system: ENTITY_TYPE, code: '1', display: 'Person' },
      role: { system: OBJECT_ROLE, code: '1', display: 'Patient' },
    });
  }
  // A Patient resource is listed once, as the patient it is, not again as a domain resource:
  // a search returning 20 patients would otherwise carry 40 entities and their index rows.
  const listedPatients = new Set(patients);
  const resources = facts.resources.filter((resource) => !listedPatients.has(resource));
  for (const resource of resources.slice(0, MAX_ENTITIES)) {
    list.push({
      what: { reference: resource },
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '4', display: 'Domain Resource' },
    });
  }
  if (resources.length > MAX_ENTITIES) {
    list.push({ description: `${resources.length - MAX_ENTITIES} more resources not listed` });
  }
  if (facts.query) {
    list.push({
      type: { system: ENTITY_TYPE, code: '2', display: 'System Object' },
      role: { system: OBJECT_ROLE, code: '24', display: 'Query' },
      query: Buffer.from(facts.query).toString('base64'),
    });
  }
  return list;
}

/** The REST interaction of a FHIR request, from its method and path below the base. */
export function restInteraction(method: string, path: string, bundleType?: string): RestInteraction {
  const segments = path === '' ? [] : path.split('/');
  const last = segments[segments.length - 1] ?? '';
  if (segments.length === 0) {
    return bundleType === 'batch' ? 'batch' : 'transaction';
  }
  if (last.startsWith('$')) {
    return 'operation';
  }
  if (segments[0] === 'metadata') {
    return 'capabilities';
  }
  if (segments[0] === '_history') {
    return 'history-system';
  }
  if (segments.length === 1 || last === '_search') {
    return method === 'POST' && last !== '_search'
      ? 'create'
      : method === 'PUT'
        ? 'update'
        : method === 'DELETE'
          ? 'delete'
          : 'search-type';
  }
  if (last === '_history') {
    return segments.length === 2 ? 'history-type' : 'history-instance';
  }
  if (segments.length === 4) {
    return 'vread';
  }
  return ({ PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, RestInteraction>)[method] ?? 'read';
}
