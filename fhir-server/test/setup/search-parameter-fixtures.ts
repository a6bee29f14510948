import { getDataType, type InternalSchemaElement } from '@medplum/core';
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import { elementIndex } from '../../src/definitions';
import { expressionFor } from '../../src/storage/indexing/indexed-parameters';

/**
 * Generates, for one search parameter, a resource that the parameter must find and the search
 * value that finds it, from the parameter's FHIRPath expression and the R4 element definitions:
 * the path is built as nested JSON (arrays where the element repeats, required children filled
 * in, codes taken from required value sets), and the leaf gets a value of its type.
 */
export interface GeneratedCase {
  /** JSON to merge into a valid base resource. */
  readonly fragment: Record<string, unknown>;
  /** The search value (after `code=`) that matches the fragment and not the base. */
  readonly value: string;
}

type JsonObject = Record<string, unknown>;

const UCUM = 'http://unitsofmeasure.org';

/** A valid resource of the type with only the required elements (each filled with a default). */
export function baseResource(resourceType: string): JsonObject {
  const resource: JsonObject = { resourceType };
  fillRequired(resourceType, resource, 0);
  return resource;
}

export function generateCase(resourceType: string, param: SearchParameter, base: JsonObject): GeneratedCase | undefined {
  const expression = param.expression && expressionFor(param.expression, resourceType);
  if (!expression) {
    return undefined;
  }
  for (const branch of expression.split(' | ')) {
    const generated = generateBranch(resourceType, param, branch.trim(), base);
    if (generated) {
      return generated;
    }
  }
  return undefined;
}

interface Step {
  readonly name: string;
  readonly cast?: string;
  readonly where?: { field: string; literal: string } | { resolves: string };
}

function parseBranch(branch: string, resourceType: string): Step[] | undefined {
  let text = branch;
  let trailingCast: string | undefined;
  const cast = /^\(?(.*?) as ([A-Za-z]+)\)?$/.exec(text);
  if (cast) {
    text = cast[1];
    trailingCast = cast[2];
  }
  if (!text.startsWith(resourceType + '.')) {
    return undefined;
  }
  const steps: Step[] = [];
  for (const part of text.slice(resourceType.length + 1).split(/\.(?![^(]*\))/)) {
    const extension = /^extension\('([^']*)'\)$/.exec(part);
    if (extension) {
      steps.push({ name: 'extension', where: { field: 'url', literal: extension[1] } });
      continue;
    }
    const where = /^where\((.*)\)$/.exec(part);
    const call = /^(as|ofType)\(([A-Za-z]+)\)$/.exec(part);
    if (where) {
      const equals = /^(\w+)\s*=\s*'([^']*)'$/.exec(where[1]);
      const resolves = /^resolve\(\) is (\w+)$/.exec(where[1]);
      if (!steps.length || (!equals && !resolves)) {
        return undefined;
      }
      steps[steps.length - 1] = {
        ...steps[steps.length - 1],
        where: equals ? { field: equals[1], literal: equals[2] } : { resolves: (resolves as RegExpExecArray)[1] },
      };
    } else if (call) {
      if (!steps.length) {
        return undefined;
      }
      steps[steps.length - 1] = { ...steps[steps.length - 1], cast: call[2] };
    } else if (/^[a-zA-Z]+$/.test(part)) {
      steps.push({ name: part });
    } else {
      return undefined;
    }
  }
  if (trailingCast && steps.length) {
    steps[steps.length - 1] = { ...steps[steps.length - 1], cast: trailingCast };
  }
  return steps;
}

function generateBranch(resourceType: string, param: SearchParameter, branch: string, base: JsonObject): GeneratedCase | undefined {
  const steps = parseBranch(branch, resourceType);
  if (!steps?.length) {
    return undefined;
  }
  const root: JsonObject = {};
  let holder = root;
  let type = resourceType;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const element = elementOf(type, step.name, step.cast);
    if (!element) {
      return undefined;
    }
    const last = i === steps.length - 1;
    if (last) {
      const leaf = leafValue(param, element.type, step, base, resourceType, steps);
      if (!leaf) {
        return undefined;
      }
      holder[element.property] = element.repeats ? [leaf.json] : leaf.json;
      return { fragment: root, value: leaf.search };
    }
    const child: JsonObject = {};
    if (step.where && 'field' in step.where) {
      child[step.where.field] = step.where.literal;
    }
    fillRequired(element.type, child, 1, steps[i + 1].name);
    holder[element.property] = element.repeats ? [child] : child;
    holder = child;
    type = element.type;
  }
  return undefined;
}

interface ResolvedElement {
  readonly property: string;
  readonly type: string;
  readonly repeats: boolean;
  readonly definition: InternalSchemaElement;
}

function elementOf(type: string, name: string, cast?: string): ResolvedElement | undefined {
  const elements = getDataType(type)?.elements ?? {};
  const plain = elements[name];
  if (plain && (!cast || plain.type.some((t) => t.code === cast))) {
    return { property: name, type: cast ?? plain.type[0].code, repeats: plain.max > 1, definition: plain };
  }
  const choice = elements[`${name}[x]`];
  if (!choice) {
    return undefined;
  }
  const chosen = cast ? choice.type.find((t) => t.code === cast) : choice.type[0];
  if (!chosen) {
    return undefined;
  }
  return {
    property: name + chosen.code.charAt(0).toUpperCase() + chosen.code.slice(1),
    type: chosen.code,
    repeats: false,
    definition: choice,
  };
}

/** Fills the required (min >= 1) elements of an object of this type with defaults. */
function fillRequired(type: string, object: JsonObject, depth: number, except?: string): void {
  if (depth > 4) {
    return;
  }
  for (const [name, element] of Object.entries(getDataType(type)?.elements ?? {})) {
    if (element.min < 1 || name === except || name === `${except}[x]` || name in object || name.includes('.')) {
      continue;
    }
    const property = name.endsWith('[x]') ? name.slice(0, -3) + capitalize(element.type[0].code) : name;
    const value = defaultValue(element, element.type[0].code, depth);
    object[property] = element.max > 1 ? [value] : value;
  }
}

function defaultValue(element: InternalSchemaElement, type: string, depth: number): unknown {
  const codes = element.binding?.strength === 'required' ? requiredCodes(element) : undefined;
  switch (type) {
    case 'code':
      return codes?.[0] ?? 'base';
    case 'boolean':
      return false;
    case 'string':
    case 'markdown':
      return 'base';
    case 'uri':
    case 'url':
    case 'canonical':
      return 'urn:base';
    case 'dateTime':
    case 'instant':
      return '2020-01-01T10:00:00Z';
    case 'date':
      return '2020-01-01';
    case 'integer':
    case 'positiveInt':
    case 'unsignedInt':
    case 'decimal':
      return 1;
    case 'Reference':
      return { reference: `${targetTypes(element)[0] ?? 'Patient'}/base` };
    case 'CodeableConcept':
      return { text: 'base' };
    case 'Coding':
      return { system: 'urn:base', code: codes?.[0] ?? 'base' };
    case 'Attachment':
      return { contentType: 'text/plain' };
    default: {
      // An empty object counts as missing; an id makes a valid, otherwise empty element.
      const child: JsonObject = {};
      fillRequired(type, child, depth + 1);
      return Object.keys(child).length > 0 ? child : { id: 'base' };
    }
  }
}

interface Leaf {
  readonly json: unknown;
  readonly search: string;
}

/** The leaf value for the parameter's type and the element's type, and its search value. */
function leafValue(
  param: SearchParameter,
  type: string,
  step: Step,
  base: JsonObject,
  resourceType: string,
  steps: Step[],
): Leaf | undefined {
  const element = elementOf(parentTypeOf(resourceType, steps), step.name, step.cast)?.definition;
  const withWhere = (json: JsonObject): JsonObject =>
    step.where && 'field' in step.where ? { ...json, [step.where.field]: step.where.literal } : json;
  switch (param.type) {
    case 'string':
      if (type === 'HumanName') {
        return { json: withWhere({ family: 'Zebrafield' }), search: 'zebraf' };
      }
      if (type === 'Address') {
        return { json: withWhere({ city: 'Zebraville' }), search: 'zebrav' };
      }
      return type === 'string' || type === 'markdown' ? { json: 'Zebra text', search: 'zebra' } : undefined;
    case 'token':
      return tokenLeaf(type, element, base, steps, withWhere);
    case 'date':
      if (type === 'Period') {
        return { json: withWhere({ start: '2031-07-04T10:00:00Z', end: '2031-07-04T11:00:00Z' }), search: '2031-07-04' };
      }
      if (type === 'Timing') {
        return { json: withWhere({ event: ['2031-07-04T10:00:00Z'] }), search: '2031-07-04' };
      }
      if (type === 'date') {
        return { json: '2031-07-04', search: '2031-07-04' };
      }
      return type === 'dateTime' || type === 'instant' ? { json: '2031-07-04T10:00:00Z', search: '2031-07-04' } : undefined;
    case 'reference': {
      const resolves = step.where && 'resolves' in step.where ? step.where.resolves : undefined;
      const target =
        resolves ??
        (param.target ?? []).find((t) => element && targetTypes(element).some((x) => x === t || x === 'Resource')) ??
        param.target?.[0];
      if (type === 'canonical' || type === 'uri') {
        return { json: 'http://example.org/fhir/Questionnaire/zebra', search: 'http://example.org/fhir/Questionnaire/zebra' };
      }
      return type === 'Reference' && target
        ? { json: withWhere({ reference: `${target}/zebra-target` }), search: `${target}/zebra-target` }
        : undefined;
    }
    case 'quantity':
      if (type === 'Money') {
        return { json: { value: 42, currency: 'EUR' }, search: '42' };
      }
      if (type === 'Range') {
        return { json: { low: { value: 42, system: UCUM, code: 'mg' }, high: { value: 42, system: UCUM, code: 'mg' } }, search: '42' };
      }
      return ['Quantity', 'Age', 'Duration', 'Distance', 'Count', 'SimpleQuantity'].includes(type)
        ? { json: { value: 42, unit: 'mg', system: UCUM, code: 'mg' }, search: `42|${UCUM}|mg` }
        : undefined;
    case 'number':
      return ['decimal', 'integer', 'positiveInt', 'unsignedInt'].includes(type) ? { json: 7, search: '7' } : undefined;
    case 'uri':
      return ['uri', 'url', 'canonical', 'oid', 'uuid'].includes(type)
        ? { json: 'http://example.org/zebra', search: 'http://example.org/zebra' }
        : undefined;
    default:
      return undefined;
  }
}

function tokenLeaf(
  type: string,
  element: InternalSchemaElement | undefined,
  base: JsonObject,
  steps: Step[],
  withWhere: (json: JsonObject) => JsonObject,
): Leaf | undefined {
  switch (type) {
    case 'CodeableConcept':
      return { json: withWhere({ coding: [{ system: 'urn:zebra', code: 'zebra-code' }] }), search: 'urn:zebra|zebra-code' };
    case 'Coding':
      return { json: withWhere({ system: 'urn:zebra', code: 'zebra-code' }), search: 'urn:zebra|zebra-code' };
    case 'Identifier':
      return { json: withWhere({ system: 'urn:zebra', value: 'zebra-id' }), search: 'urn:zebra|zebra-id' };
    case 'ContactPoint':
      return { json: withWhere({ system: 'email', value: 'zebra@example.org' }), search: 'zebra@example.org' };
    case 'boolean': {
      const current = valueAt(base, steps);
      return { json: current !== true, search: String(current !== true) };
    }
    case 'code': {
      const codes = element && element.binding?.strength === 'required' ? requiredCodes(element) : undefined;
      const current = valueAt(base, steps);
      const code = codes ? codes.find((c) => c !== current) : 'zebra-code';
      return code ? { json: code, search: code } : undefined;
    }
    case 'string':
    case 'id':
    case 'uri':
      return { json: 'zebra-token', search: 'zebra-token' };
    default:
      return undefined;
  }
}

function parentTypeOf(resourceType: string, steps: Step[]): string {
  let type = resourceType;
  for (const step of steps.slice(0, -1)) {
    type = elementOf(type, step.name, step.cast)?.type ?? type;
  }
  return type;
}

function valueAt(object: JsonObject, steps: Step[]): unknown {
  let current: unknown = object;
  for (const step of steps) {
    current = Array.isArray(current) ? current[0] : current;
    current = (current as JsonObject | undefined)?.[step.name];
  }
  return Array.isArray(current) ? current[0] : current;
}

function requiredCodes(element: InternalSchemaElement): string[] | undefined {
  const valueSet = element.binding?.valueSet?.split('|')[0];
  const codes = valueSet ? elementIndex.codes(valueSet) : null;
  return codes ? [...codes] : undefined;
}

function targetTypes(element: InternalSchemaElement): string[] {
  return element.type.flatMap((t) => t.targetProfile ?? []).map((profile) => profile.split('/').pop() as string);
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Merges a generated fragment into a base resource (objects merged, arrays and values replaced). */
export function mergeInto(base: JsonObject, fragment: JsonObject): Resource {
  const merged: JsonObject = { ...base };
  for (const [key, value] of Object.entries(fragment)) {
    dropOtherChoiceValues(merged, key);
    const existing = merged[key];
    merged[key] =
      value && typeof value === 'object' && !Array.isArray(value) && existing && typeof existing === 'object' && !Array.isArray(existing)
        ? mergeInto(existing as JsonObject, value as JsonObject)
        : value;
  }
  return merged as unknown as Resource;
}

/** A resource's choice element has one value: `medicationReference` replaces the base's `medicationCodeableConcept`. */
function dropOtherChoiceValues(resource: JsonObject, key: string): void {
  const type = resource.resourceType;
  const choice = typeof type === 'string' ? elementIndex.element(`${type}.${key}`)?.choice : undefined;
  for (const other of choice ? Object.keys(resource) : []) {
    if (other !== key && elementIndex.element(`${type as string}.${other}`)?.choice === choice) {
      delete resource[other];
    }
  }
}
