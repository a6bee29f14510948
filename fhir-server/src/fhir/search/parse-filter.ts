import type { SearchParameterCatalog } from '../../definitions';
import { isResourceType } from '../../definitions';
import { parseDateRange } from '../../storage/indexing/date-range';
import { identifierParam } from '../../storage/indexing/reference';
import { ofTypeCode, ofTypeParam } from '../../storage/indexing/token';
import { wordsOf } from '../../storage/indexing/full-text';
import type { ParameterFilter, SearchFilter, SearchParamType, SearchValue } from '../../storage/search-query';
import { badRequest, notSupported, tooCostly } from '../outcomes';
import { supportedParameter, type SupportedParameter } from './registry';
import { splitEscaped, takePrefix, unescape, withParts } from './search-values';

/** Chained links plus `_has` levels in one parameter (search.html#chaining, #has). */
export const MAX_CHAIN_DEPTH = 3;
/** Alternatives (comma-separated values) in one parameter. */
export const MAX_VALUES = 100;
const MAX_VALUE_LENGTH = 2048;

export interface FilterContext {
  readonly catalog: SearchParameterCatalog;
  /** This server's FHIR base URL: absolute references to it are searched as local ones. */
  readonly baseUrl?: string;
}

/** Modifiers each type accepts here (search.html#modifiers); others are refused with a 400. */
const MODIFIERS: Record<string, readonly string[]> = {
  string: ['missing', 'exact', 'contains'],
  token: ['missing', 'not', 'text'],
  date: ['missing'],
  number: ['missing'],
  quantity: ['missing'],
  reference: ['missing'],
  uri: ['missing', 'below', 'above'],
  composite: ['missing'],
};
const KNOWN_UNSUPPORTED = new Set(['in', 'not-in', 'iterate', 'type']);
const OF_TYPE_FORMAT = 'system|code|value (the Identifier.type coding, then the value)';
const PREFIXED_TYPES = new Set(['date', 'number', 'quantity']);
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/**
 * A query parameter as a filter on `types`, or undefined when its name is not a supported
 * search parameter of all of them (the caller ignores it, or refuses it in strict mode).
 * Malformed values and unsupported modifiers of known parameters are a 400 either way.
 */
export function parseFilter(ctx: FilterContext, types: readonly string[], name: string, raw: string, depth = 0): SearchFilter | undefined {
  if (depth > MAX_CHAIN_DEPTH) {
    throw tooCostly(`${name}: chains and _has may be at most ${MAX_CHAIN_DEPTH} levels deep`);
  }
  if (name.startsWith('_has:')) {
    return parseHas(ctx, types, name, raw, depth);
  }
  if (name === '_list') {
    return parseList(ctx, types, raw, depth);
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    return parseChain(ctx, types, name.slice(0, dot), name.slice(dot + 1), raw, depth);
  }
  const [code, modifier, ...extra] = name.split(':');
  const param = parameterOf(ctx, types, code);
  if (!param || extra.length > 0) {
    return undefined;
  }
  return parseParameterValues(ctx, param, modifier, raw, name);
}

/** The parameter if every type has it with the same type; undefined if one lacks it. */
function parameterOf(ctx: FilterContext, types: readonly string[], code: string): SupportedParameter | undefined {
  let found: SupportedParameter | undefined;
  let singleValue = true;
  for (const type of types) {
    const param = supportedParameter(ctx.catalog, type, code);
    if (!param) {
      return undefined;
    }
    if (found && found.type !== param.type) {
      throw badRequest(`${code} has different types on ${types.join(', ')}; search one type at a time`);
    }
    found ??= param;
    singleValue &&= param.singleValue;
  }
  return found && { ...found, singleValue };
}

function parseParameterValues(
  ctx: FilterContext,
  param: SupportedParameter,
  modifier: string | undefined,
  raw: string,
  name: string,
): ParameterFilter {
  if (param.type === 'reference' && modifier === 'identifier') {
    // `subject:identifier=system|value` matches Reference.identifier (search.html#modifiers).
    return parseParameterValues(ctx, { ...param, code: identifierParam(param.code), type: 'token', targets: [] }, undefined, raw, name);
  }
  if (param.type === 'token' && modifier === 'of-type') {
    return parseOfType(param, raw, name);
  }
  checkModifier(param, modifier, name);
  const base = {
    code: param.code,
    type: param.type,
    modifier,
    components: param.components,
    targetTypes: param.type === 'reference' ? param.targets : undefined,
    phonetic: param.phonetic || undefined,
    ...(param.singleValue ? { singleValue: true } : {}),
    ...(param.boundCodes ? { boundCodes: param.boundCodes } : {}),
  };
  if (modifier === 'missing') {
    if (raw !== 'true' && raw !== 'false') {
      throw badRequest(`${name} must be true or false, got "${raw}"`);
    }
    return { ...base, values: [{ value: raw }] };
  }
  const pieces = splitEscaped(raw, ',').filter((piece) => piece !== '');
  if (pieces.length === 0) {
    throw badRequest(`${name} has no value`);
  }
  if (pieces.length > MAX_VALUES) {
    throw tooCostly(`${name} has more than ${MAX_VALUES} alternatives`);
  }
  const values = pieces.map((piece) => parseValue(ctx, param, piece, name));
  return { ...base, values: param.impliedSystems ? values.flatMap((value) => withoutImpliedSystem(value, param.impliedSystems)) : values };
}

/**
 * `identifier:of-type=system|code|value` (search.html#modifiers): identifiers of that type with
 * that value, searched as the `:of-type` token rows of the parameter (storage/indexing/token.ts).
 */
function parseOfType(param: SupportedParameter, raw: string, name: string): ParameterFilter {
  if (!param.identifiers) {
    throw badRequest(`${name}: :of-type applies to parameters on Identifier elements, and ${param.code} is none`);
  }
  const pieces = splitEscaped(raw, ',').filter((piece) => piece !== '');
  if (pieces.length === 0 || pieces.length > MAX_VALUES) {
    throw badRequest(`${name} needs 1 to ${MAX_VALUES} values of the form ${OF_TYPE_FORMAT}`);
  }
  const values = pieces.map((piece): SearchValue => {
    if (piece.length > MAX_VALUE_LENGTH) {
      throw tooCostly(`${name}: a value may be at most ${MAX_VALUE_LENGTH} characters`);
    }
    const parts = splitEscaped(piece, '|').map(unescape);
    if (parts.length !== 3 || parts.some((part) => part === '')) {
      throw badRequest(`${name}: "${piece}" is not ${OF_TYPE_FORMAT}`);
    }
    const [system, code, value] = parts;
    return { value: unescape(piece), parts: [system, ofTypeCode(code, value)] };
  });
  return { code: ofTypeParam(param.code), type: 'token', values };
}

/**
 * `system|code` on a plain code element also matches its index rows, which carry no system:
 * `Patient?gender=http://hl7.org/fhir/administrative-gender|female` finds what `gender=female` does.
 */
function withoutImpliedSystem(value: SearchValue, systems: ReadonlySet<string> | undefined): SearchValue[] {
  const [system, code] = value.parts ?? [];
  return system && code !== undefined && systems?.has(system) ? [value, { value: `|${code}`, parts: ['', code] }] : [value];
}

function checkModifier(param: SupportedParameter, modifier: string | undefined, name: string): void {
  if (modifier === undefined) {
    return;
  }
  if (param.code === '_id' && (modifier === 'missing' || modifier === 'not')) {
    return;
  }
  if (param.code === '_id' || param.code === '_lastUpdated' ? modifier === 'missing' : MODIFIERS[param.type]?.includes(modifier)) {
    return;
  }
  if (param.type === 'reference' && isResourceType(modifier)) {
    if (param.targets.length > 0 && !param.targets.includes(modifier)) {
      throw badRequest(`${name}: ${param.code} cannot refer to a ${modifier}`);
    }
    return;
  }
  if (KNOWN_UNSUPPORTED.has(modifier) || Object.values(MODIFIERS).some((list) => list.includes(modifier))) {
    throw notSupported(`The modifier :${modifier} is not supported on ${param.code} (a ${param.type} parameter)`);
  }
  throw badRequest(`Unknown modifier :${modifier} in ${name}`);
}

function parseValue(ctx: FilterContext, param: SupportedParameter, piece: string, name: string): SearchValue {
  if (piece.length > MAX_VALUE_LENGTH) {
    throw tooCostly(`${name}: a value may be at most ${MAX_VALUE_LENGTH} characters`);
  }
  if (param.type === 'composite') {
    const parts = splitEscaped(piece, '$');
    const types = param.components ?? [];
    if (parts.length !== types.length) {
      throw badRequest(`${name}: "${piece}" needs ${types.length} components separated by $`);
    }
    return { value: unescape(piece), components: parts.map((part, i) => parseTypedValue(ctx, types[i], part, name)) };
  }
  return parseTypedValue(ctx, param.type, piece, name);
}

function parseTypedValue(ctx: FilterContext, type: SearchParamType, piece: string, name: string): SearchValue {
  const { prefix, rest } = PREFIXED_TYPES.has(type) ? takePrefix(piece) : { prefix: undefined, rest: piece };
  switch (type) {
    case 'date':
      if (!parseDateRange(unescape(rest))) {
        throw badRequest(`${name}: "${piece}" is not a valid date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime), with an optional prefix`);
      }
      return { prefix, value: unescape(rest) };
    case 'number':
      if (!NUMBER.test(rest)) {
        throw badRequest(`${name}: "${piece}" is not a number, with an optional prefix`);
      }
      return { prefix, value: rest };
    case 'quantity': {
      const value = withParts(rest, 3, name);
      if (!NUMBER.test(value.parts?.[0] ?? value.value)) {
        throw badRequest(`${name}: "${piece}" is not [prefix]number[|system|code]`);
      }
      return { prefix, ...value };
    }
    case 'token':
      return withParts(piece, 2, name);
    case 'reference':
      return referenceValue(ctx, piece, name);
    case 'text': {
      const value = unescape(piece);
      if (wordsOf(value).length === 0) {
        throw badRequest(`${name}: "${piece}" has no word to search for (letters or digits)`);
      }
      return { value };
    }
    default:
      return { value: unescape(piece) };
  }
}

function referenceValue(ctx: FilterContext, piece: string, name: string): SearchValue {
  const value = withParts(piece, 2, name);
  const url = value.parts ? value.parts[0] : value.value;
  if (ctx.baseUrl && url.startsWith(ctx.baseUrl + '/')) {
    // A local reference; a canonical's |version is dropped, as the index keeps none.
    return { value: url.slice(ctx.baseUrl.length + 1) };
  }
  return value;
}

/** `subject:Patient.name=x`: the link's reference parameter, then the rest on its targets. */
function parseChain(
  ctx: FilterContext,
  types: readonly string[],
  link: string,
  rest: string,
  raw: string,
  depth: number,
): SearchFilter | undefined {
  const [code, typeModifier, ...extra] = link.split(':');
  const param = parameterOf(ctx, types, code);
  if (!param || param.type !== 'reference' || extra.length > 0) {
    return undefined;
  }
  if (
    typeModifier !== undefined &&
    (!isResourceType(typeModifier) || (param.targets.length > 0 && !param.targets.includes(typeModifier)))
  ) {
    throw badRequest(`${link}.${rest}: ${code} cannot refer to a ${typeModifier}`);
  }
  const candidates = typeModifier ? [typeModifier] : param.targets;
  const chainedCode = rest.split(/[.:]/)[0];
  const targetTypes = candidates.filter((type) => chainedCode.startsWith('_has') || supportedParameter(ctx.catalog, type, chainedCode));
  if (targetTypes.length === 0) {
    return undefined;
  }
  const filter = parseFilter(ctx, targetTypes, rest, raw, depth + 1);
  return filter && { kind: 'chain', code, targetTypes, filter };
}

/**
 * `_list=42` (search.html#list): the items still on List/42, which is
 * `_has:List:current-item:_id=42` (entries flagged `deleted` were taken off it), so the List
 * must be one the caller may read, as any `_has` source.
 */
function parseList(ctx: FilterContext, types: readonly string[], raw: string, depth: number): SearchFilter {
  const ids = splitEscaped(raw, ',').filter((id) => id !== '');
  if (ids.length === 0) {
    throw badRequest('_list has no value');
  }
  if (ids.some((id) => id.startsWith('$'))) {
    throw notSupported(`_list=${raw}: functional lists such as $current-problems are not supported`);
  }
  return parseHas(ctx, types, '_has:List:current-item:_id', raw, depth);
}

/** `_has:Observation:patient:code=x` (and nested `_has:...:_has:...`). */
function parseHas(ctx: FilterContext, types: readonly string[], name: string, raw: string, depth: number): SearchFilter {
  const [, sourceType, referenceParam, ...inner] = name.split(':');
  if (!sourceType || !referenceParam || inner.length === 0 || !isResourceType(sourceType)) {
    throw badRequest(`${name} must be _has:Type:referenceParameter:parameter`);
  }
  const reference = supportedParameter(ctx.catalog, sourceType, referenceParam);
  if (reference?.type !== 'reference') {
    throw badRequest(`${name}: ${referenceParam} is not a reference parameter of ${sourceType}`);
  }
  if (reference.targets.length > 0 && !types.every((type) => reference.targets.includes(type))) {
    throw badRequest(`${name}: ${sourceType}.${referenceParam} does not refer to ${types.join(', ')}`);
  }
  const innerName = inner.join(':');
  const filter = parseFilter(ctx, [sourceType], innerName, raw, depth + 1);
  if (!filter) {
    throw badRequest(`${name}: ${innerName.split(':')[0]} is not a supported search parameter of ${sourceType}`);
  }
  return { kind: 'has', sourceType, referenceParam, filter };
}
