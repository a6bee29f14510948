import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { elementIndex } from '../../definitions';
import type { FhirContext } from '../fhir-request';
import { badRequest, notFound } from '../outcomes';
import { repositoryTerminology, type TerminologySource } from './terminology-source';

/** The terminology a request sees: the database's code systems and value sets, then base R4. */
export function terminologyFor(ctx: FhirContext): TerminologySource {
  return repositoryTerminology(ctx.repo, elementIndex);
}

export interface CanonicalChoice<T> {
  /** `ValueSet/[id]/$op` or `CodeSystem/[id]/$op`. */
  readonly instanceId?: string;
  /** A resource given inline in the Parameters. */
  readonly inline?: T;
  readonly url?: string;
  readonly version?: string;
}

/** The value set an operation works on: the instance, an inline one, or one found by canonical URL. */
export async function resolveValueSet(ctx: FhirContext, source: TerminologySource, choice: CanonicalChoice<ValueSet>): Promise<ValueSet> {
  if (choice.instanceId) {
    return readInstance<ValueSet>(ctx, 'ValueSet', choice.instanceId);
  }
  if (choice.inline) {
    return choice.inline;
  }
  if (!choice.url) {
    throw badRequest('Name the value set: invoke on ValueSet/[id], or give url or valueSet');
  }
  const found = await source.valueSet(choice.version ? `${choice.url}|${choice.version}` : choice.url);
  if (!found) {
    throw notFound(`Value set ${choice.url}${choice.version ? `|${choice.version}` : ''} is not known to this server`);
  }
  return found;
}

/** The code system an operation works on: the instance or one found by canonical URL. */
export async function resolveCodeSystem(
  ctx: FhirContext,
  source: TerminologySource,
  choice: CanonicalChoice<CodeSystem>,
): Promise<CodeSystem> {
  if (choice.instanceId) {
    return readInstance<CodeSystem>(ctx, 'CodeSystem', choice.instanceId);
  }
  if (!choice.url) {
    throw badRequest('Name the code system: give system (or a coding with a system)');
  }
  const found = await source.codeSystem(choice.version ? `${choice.url}|${choice.version}` : choice.url);
  if (!found) {
    throw notFound(`Code system ${choice.url}${choice.version ? `|${choice.version}` : ''} is not known to this server`);
  }
  return found;
}

async function readInstance<T extends ValueSet | CodeSystem>(ctx: FhirContext, type: T['resourceType'], id: string): Promise<T> {
  const stored = await ctx.repo.readCurrent(type, id);
  if (!stored || stored.deleted) {
    throw notFound(`${type}/${id} not found`);
  }
  return JSON.parse(stored.content) as T;
}
