import type { ValueSet } from '@medplum/fhirtypes';
import { allResourceTypes } from '../../definitions';
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
 * `code=system|code,...` (`code:not=...`), so storage sees the token filters it knows; also at
 * the end of a chain or `_has` (`subject:Patient.language:in=...`). Other parameters pass unchanged.
 */
export async function expandValueSetModifiers(
  ctx: FhirContext,
  params: URLSearchParams,
  types: readonly string[],
): Promise<URLSearchParams> {
  if (![...params.keys()].some((name) => VALUE_SET_MODIFIER.test(name))) {
    return params;
  }
  const rewritten = new URLSearchParams();
  for (const [name, value] of params) {
    const match = VALUE_SET_MODIFIER.exec(name);
    const [, path = '', code = '', modifier] = match ?? [];
    if (!match || !isTokenParameter(ctx, types, path, code)) {
      rewritten.append(name, value);
      continue;
    }
    const codes = await valueSetCodes(ctx, value);
    rewritten.append(modifier === 'in' ? `${path}${code}` : `${path}${code}:not`, codes.map(escapeToken).join(','));
  }
  return rewritten;
}

/** `[chain or _has path]code:in|not-in`: the path ends in `.` (a chain) or `:` (`_has:Type:reference:`). */
const VALUE_SET_MODIFIER = /^(.*[.:])?([^.:]+):(in|not-in)$/;

/**
 * Whether the code names a token parameter of the searched types; at the end of a chain or
 * `_has` the types are those the references lead to, which the parser resolves, so there it is
 * one that is a token parameter wherever defined (and the parser refuses what does not fit).
 */
function isTokenParameter(ctx: FhirContext, types: readonly string[], path: string, code: string): boolean {
  if (path === '') {
    return types.every((type) => ctx.repo.searchParameters.get(type, code)?.type === 'token');
  }
  const definitions = allResourceTypes().flatMap((type) => ctx.repo.searchParameters.get(type, code) ?? []);
  return definitions.length > 0 && definitions.every((definition) => definition.type === 'token');
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
