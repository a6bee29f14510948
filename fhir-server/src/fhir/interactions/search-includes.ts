import { evalFhirPathTyped, toTypedValue } from '@medplum/core';
import type { Reference, Resource } from '@medplum/fhirtypes';
import { isResourceType, type SearchParameterCatalog } from '../../definitions';
import type { StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext } from '../fhir-request';
import { badRequest } from '../outcomes';
import { catalogOrDefault, includableParameters } from '../search/registry';
import { parseStored } from './stored-resource';

/** `_include` / `_revinclude` (http://hl7.org/fhir/R4/search.html#include), parsed. */
interface IncludeSpec {
  readonly reverse: boolean;
  readonly iterate: boolean;
  readonly sourceType: string;
  readonly param: string;
  readonly expression: string;
  readonly targetType?: string;
}

/** Bounds that keep `:iterate` and wide includes from growing a page without limit. */
const MAX_ITERATIONS = 4;
const MAX_INCLUDED = 1000;

/**
 * The includes of a search over `searchedTypes`. The wildcard `*` stands for every reference
 * parameter: `_include=*` of the searched types, `Type:*[:Target]` of one type.
 */
export function parseIncludes(params: URLSearchParams, searchedTypes: readonly string[], catalog?: SearchParameterCatalog): IncludeSpec[] {
  const specs: IncludeSpec[] = [];
  for (const [name, value] of params) {
    const match = /^_(rev)?include(:iterate|:recurse)?$/.exec(name);
    if (!match) {
      continue;
    }
    const reverse = !!match[1];
    const iterate = !!match[2];
    if (value === '*' && !reverse) {
      specs.push(...searchedTypes.flatMap((type) => referenceParameters(type, catalog, { reverse, iterate })));
      continue;
    }
    const [sourceType, param, targetType, ...rest] = value.split(':');
    if (rest.length > 0 || !sourceType || !param || !isResourceType(sourceType)) {
      throw badRequest(`${name}=${value} must be SourceType:searchParam[:targetType]${reverse ? '' : ' or *'}`);
    }
    if (targetType !== undefined && !isResourceType(targetType)) {
      throw badRequest(`${name}: unknown target type ${targetType}`);
    }
    if (param === '*') {
      specs.push(...referenceParameters(sourceType, catalog, { reverse, iterate, targetType }));
      continue;
    }
    const definition = catalogOrDefault(catalog).get(sourceType, param);
    if (definition?.type !== 'reference' || !definition.expression) {
      throw badRequest(`${name}: ${param} is not a reference search parameter of ${sourceType}`);
    }
    specs.push({ reverse, iterate, sourceType, param, expression: definition.expression, targetType });
  }
  return specs;
}

/** An include spec for every reference parameter of a type. */
function referenceParameters(
  sourceType: string,
  catalog: SearchParameterCatalog | undefined,
  options: Pick<IncludeSpec, 'reverse' | 'iterate' | 'targetType'>,
): IncludeSpec[] {
  return includableParameters(sourceType, catalog).map((definition) => ({
    ...options,
    sourceType,
    param: definition.code as string,
    expression: definition.expression as string,
  }));
}

/**
 * The resources that the includes add to a page of matches, each once and never one of the
 * matches themselves. Reverse includes find referencing resources through search, so they
 * obey the same storage access filters as any search.
 */
export async function resolveIncludes(
  ctx: FhirContext,
  matches: readonly StoredVersion[],
  specs: readonly IncludeSpec[],
): Promise<StoredVersion[]> {
  const seen = new Set(matches.map(keyOf));
  const included: StoredVersion[] = [];
  let frontier: readonly StoredVersion[] = matches;
  for (let round = 0; round < MAX_ITERATIONS && frontier.length > 0; round++) {
    const active = specs.filter((spec) => round === 0 || spec.iterate);
    if (active.length === 0) {
      break;
    }
    const added: StoredVersion[] = [];
    for (const spec of active) {
      const found = spec.reverse ? await referencing(ctx, frontier, spec) : await referenced(ctx, frontier, spec);
      for (const version of found) {
        if (!seen.has(keyOf(version)) && included.length + added.length < MAX_INCLUDED) {
          seen.add(keyOf(version));
          added.push(version);
        }
      }
    }
    included.push(...added);
    frontier = added;
  }
  return included;
}

async function referenced(ctx: FhirContext, from: readonly StoredVersion[], spec: IncludeSpec): Promise<StoredVersion[]> {
  const targets = new Map<string, { resourceType: string; id: string }>();
  for (const version of from) {
    if (version.resourceType !== spec.sourceType) {
      continue;
    }
    const resource: Resource = parseStored(version);
    for (const value of evalFhirPathTyped(spec.expression, [toTypedValue(resource)])) {
      const match = /^([A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})$/.exec((value.value as Reference)?.reference ?? '');
      if (match && (!spec.targetType || match[1] === spec.targetType)) {
        targets.set(match[0], { resourceType: match[1], id: match[2] });
      }
    }
  }
  const versions = await ctx.repo.readMany([...targets.values()]);
  return versions.filter((v) => !v.deleted);
}

async function referencing(ctx: FhirContext, to: readonly StoredVersion[], spec: IncludeSpec): Promise<StoredVersion[]> {
  const targets = to.filter((v) => !spec.targetType || v.resourceType === spec.targetType).map((v) => `${v.resourceType}/${v.id}`);
  if (targets.length === 0) {
    return [];
  }
  const page = await ctx.repo.search({
    resourceTypes: [spec.sourceType],
    filters: [{ code: spec.param, type: 'reference', values: targets.map((value) => ({ value })) }],
    sort: [],
    count: MAX_INCLUDED,
    total: 'none',
  });
  return [...page.entries];
}

function keyOf(version: StoredVersion): string {
  return `${version.resourceType}/${version.id}`;
}
