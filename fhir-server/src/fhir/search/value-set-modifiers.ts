import type { ValueSet } from '@medplum/fhirtypes';
import type { FhirContext } from '../fhir-request';
import { badRequest, tooCostly } from '../outcomes';
import { MAX_VALUES } from './parse-filter';
import { expandCompose, includesInactive } from '../terminology/compose-expansion';
import { parseStored } from '../interactions/stored-resource';
import { terminologyFor } from '../terminology/resolve-canonical';
import type { TerminologySource } from '../terminology/terminology-source';

/**
 * The token modifiers `:in` and `:not-in` (http://hl7.org/fhir/R4/search.html#modifiers): the
 * value is a value set, by canonical URL (`|version` allowed) or as `ValueSet/<id>`, with at
 * most as many codes as a search value may list alternatives (MAX_VALUES), and the parameter
 * matches its codes (`:not-in`: none of them). They are rewritten into the plain search
 * `code=system|code,...` (`code:not=...`), so storage sees the token filters it knows.
 * Other parameters pass unchanged.
 */
export async function expandValueSetModifiers(
  ctx: FhirContext,
  params: URLSearchParams,
  types: readonly string[],
): Promise<URLSearchParams> {
  if (![...params.keys()].some((name) => /:(in|not-in)$/.test(name))) {
    return params;
  }
  const rewritten = new URLSearchParams();
  for (const [name, value] of params) {
    const match = /^([^:]+):(in|not-in)$/.exec(name);
    if (!match || !types.every((type) => ctx.repo.searchParameters.get(type, match[1])?.type === 'token')) {
      rewritten.append(name, value);
      continue;
    }
    const codes = await valueSetCodes(ctx, value);
    rewritten.append(match[2] === 'in' ? match[1] : `${match[1]}:not`, codes.map(escapeToken).join(','));
  }
  return rewritten;
}

async function valueSetCodes(ctx: FhirContext, reference: string): Promise<string[]> {
  const source = terminologyFor(ctx);
  const valueSet = await findValueSet(ctx, source, reference);
  if (!valueSet) {
    throw badRequest(`Value set ${reference} is not known to this server`);
  }
  const inactive = includesInactive(valueSet);
  const concepts = (await expandCompose(valueSet, source)).filter((concept) => inactive || !concept.inactive);
  if (concepts.length === 0) {
    throw badRequest(`Value set ${reference} has no codes to search by`);
  }
  if (concepts.length > MAX_VALUES) {
    throw tooCostly(`Value set ${reference} has ${concepts.length} codes; :in and :not-in take at most ${MAX_VALUES}`);
  }
  // On a plain `code` element (Patient.gender) the parser also matches the codes' rows without
  // a system when the system is the one its binding implies (parse-filter.ts).
  return concepts.map((concept) => `${concept.system}|${concept.code}`);
}

async function findValueSet(ctx: FhirContext, source: TerminologySource, reference: string): Promise<ValueSet | undefined> {
  const local = /^ValueSet\/([A-Za-z0-9\-.]{1,64})$/.exec(reference);
  if (!local) {
    return source.valueSet(reference);
  }
  const stored = await ctx.repo.readCurrent('ValueSet', local[1]);
  return stored && !stored.deleted ? (parseStored(stored) as ValueSet) : undefined;
}

/** A token value as search.html#escaping writes it: `,` `$` and `\` escaped (the `|` between system and code is not). */
function escapeToken(systemAndCode: string): string {
  return systemAndCode.replace(/[\\,$]/g, (c) => `\\${c}`);
}
