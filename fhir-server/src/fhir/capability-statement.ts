import type { CapabilityStatement, CapabilityStatementRestResource, CapabilityStatementRestSecurity, Extension } from '@medplum/fhirtypes';
import type { SubscriptionChannels } from './fhir-request';
import type { OAuthUris } from '../auth/smart-configuration';
import { allResourceTypes, profileRegistry, type SearchParameterCatalog } from '../definitions';
import { appliesToType } from './operations/fhir-operation';
import { OPERATIONS } from './operations/registry';
import { includableParameters, supportedSearchParameters } from './search/registry';

const TYPE_INTERACTIONS = [
  'read',
  'vread',
  'update',
  'patch',
  'delete',
  'history-instance',
  'history-type',
  'create',
  'search-type',
] as const;

export const VAPID_PUBLIC_KEY_EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/web-push-vapid-public-key';
const SUBSCRIPTION_DOCUMENTATION =
  'R4 Subscriptions with channel rest-hook (a Web Push endpoint when the channel carries the ' +
  'https://medbuddy.dev/fhir/StructureDefinition/subscription-web-push extension) or websocket ' +
  '(bind <id> / bind-with-token, see $get-ws-binding-token); creations, updates and deletions of ' +
  'matching resources are delivered, numbered, and listed by $events. Patients and doctors may ' +
  'subscribe within their own compartment or appointments.';

const cache = new WeakMap<object, Map<string, { version: number; statement: CapabilityStatement }>>();
const NO_CATALOG = {};

/**
 * The CapabilityStatement (http://hl7.org/fhir/R4/capabilitystatement.html), generated from
 * the resource types, interactions, search parameters and operations the server implements.
 */
export function capabilityStatement(
  baseUrl: string,
  oauth?: OAuthUris,
  catalog?: SearchParameterCatalog,
  channels?: Pick<SubscriptionChannels, 'websocketUrl' | 'vapidPublicKey'>,
): CapabilityStatement {
  const byUrl = cache.get(catalog ?? NO_CATALOG) ?? new Map<string, { version: number; statement: CapabilityStatement }>();
  cache.set(catalog ?? NO_CATALOG, byUrl);
  const version = catalog?.version ?? 0;
  const key = `${baseUrl} ${channels?.websocketUrl ?? ''} ${channels?.vapidPublicKey ?? ''}`;
  let cached = byUrl.get(key);
  if (!cached || cached.version !== version) {
    cached = { version, statement: buildCapabilityStatement(baseUrl, oauth, catalog, channels) };
    byUrl.set(key, cached);
  }
  return cached.statement;
}

/** SMART on FHIR security (https://hl7.org/fhir/smart-app-launch/conformance.html#using-cs). */
function smartSecurity(oauth: OAuthUris): CapabilityStatementRestSecurity {
  return {
    cors: true,
    service: [
      {
        coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }],
        text: 'OAuth2 using SMART-on-FHIR profile (see http://docs.smarthealthit.org)',
      },
    ],
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [
          { url: 'authorize', valueUri: oauth.authorize },
          { url: 'token', valueUri: oauth.token },
          { url: 'revoke', valueUri: oauth.revoke },
          { url: 'introspect', valueUri: oauth.introspect },
        ],
      },
    ],
  };
}

function buildCapabilityStatement(
  baseUrl: string,
  oauth: OAuthUris | undefined,
  catalog: SearchParameterCatalog | undefined,
  channels: Pick<SubscriptionChannels, 'websocketUrl' | 'vapidPublicKey'> | undefined,
): CapabilityStatement {
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    name: 'MedBuddy',
    title: 'MedBuddy FHIR R4 server',
    software: { name: 'MedBuddy FHIR server', version: '0.1.0' },
    implementation: { description: 'MedBuddy telemedicine FHIR R4 server', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    // JSON Patch, and FHIRPath Patch as a Parameters resource (fhirpatch.html).
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
    rest: [
      {
        mode: 'server',
        ...(channels ? { extension: channelExtensions(channels) } : {}),
        ...(oauth ? { security: smartSecurity(oauth) } : {}),
        resource: resourceCapabilities(catalog),
        interaction: [{ code: 'transaction' }, { code: 'batch' }, { code: 'history-system' }, { code: 'search-system' }],
        searchParam: [LIST_SEARCH_PARAMETER],
        operation: OPERATIONS.filter((op) => op.definition.system).map((op) => ({
          name: op.definition.code,
          definition: op.definition.url as string,
        })),
      },
    ],
  };
}

/** `_list`, which every resource type takes (search.html#list; parse-filter.ts). */
const LIST_SEARCH_PARAMETER = {
  name: '_list',
  type: 'special',
  documentation: 'The resources that are items of the List with this id. Functional lists ($current-problems, ...) are not supported.',
} as const;

/** Where Subscription clients connect: the R4 websocket extension, and the key of Web Push registrations. */
function channelExtensions(channels: Pick<SubscriptionChannels, 'websocketUrl' | 'vapidPublicKey'>): Extension[] {
  return [
    { url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket', valueUrl: channels.websocketUrl },
    ...(channels.vapidPublicKey ? [{ url: VAPID_PUBLIC_KEY_EXTENSION, valueString: channels.vapidPublicKey }] : []),
  ];
}

function resourceCapabilities(catalog: SearchParameterCatalog | undefined): CapabilityStatementRestResource[] {
  const types = allResourceTypes();
  const revIncludesByTarget = new Map<string, string[]>();
  for (const type of types) {
    for (const param of includableParameters(type, catalog)) {
      for (const target of param.target ?? types) {
        const list = revIncludesByTarget.get(target) ?? [];
        list.push(`${type}:${param.code}`);
        revIncludesByTarget.set(target, list);
      }
    }
  }
  return types.map((type) => {
    const includes = includableParameters(type, catalog).map((param) => `${type}:${param.code}`);
    const revIncludes = revIncludesByTarget.get(type) ?? [];
    return {
      ...resourceCapability(type, catalog),
      // search.html#include: `*` and `Type:*` stand for every reference parameter.
      ...(includes.length > 0 ? { searchInclude: ['*', `${type}:*`, ...includes] } : {}),
      ...(revIncludes.length > 0 ? { searchRevInclude: revIncludes.sort() } : {}),
    };
  });
}

function resourceCapability(type: string, catalog: SearchParameterCatalog | undefined): CapabilityStatementRestResource {
  const supportedProfile = profileRegistry.profilesFor(type);
  return {
    type: type as CapabilityStatementRestResource['type'],
    ...(type === 'Subscription' ? { documentation: SUBSCRIPTION_DOCUMENTATION } : {}),
    ...(supportedProfile.length > 0 ? { supportedProfile } : {}),
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'full-support',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    searchParam: supportedSearchParameters(type, catalog).map((param) => ({
      name: param.code as string,
      definition: param.url,
      type: param.type,
    })),
    operation: OPERATIONS.filter((op) => (op.definition.type || op.definition.instance) && appliesToType(op, type)).map((op) => ({
      name: op.definition.code,
      definition: op.definition.url as string,
    })),
  };
}
