import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import type { Coding, ElementDefinition, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { elementTree, type ElementNode } from './profile-tree';

/** A code found under a required binding, to be checked against the value set (asynchronously). */
export interface BindingCheck {
  readonly valueSet: string;
  /** Where the value is, e.g. `PractitionerRole.specialty[0]`. */
  readonly expression: string;
  /** The element's definition path, e.g. `PractitionerRole.specialty`. */
  readonly path: string;
  readonly codings: readonly Coding[];
}

export interface ProfileCheck {
  readonly issues: OperationOutcomeIssue[];
  readonly bindings: BindingCheck[];
}

/** Resolves type profiles (extension definitions) and target profiles by canonical URL. */
export type ProfileLookup = (url: string) => StructureDefinition | undefined;

const CORE_DEFINITIONS = 'http://hl7.org/fhir/StructureDefinition/';
/** Base R4 value sets: their required bindings are enforced by required-bindings.ts already. */
const CORE_VALUE_SETS = 'http://hl7.org/fhir/ValueSet/';
const MAX_DEPTH = 32;
/** Primitive type names start lower-case in FHIR (`valueString` is a `string`); complex ones keep their capital. */
const PRIMITIVES = new Set([
  'Boolean',
  'Integer',
  'String',
  'Decimal',
  'Uri',
  'Url',
  'Canonical',
  'Base64Binary',
  'Instant',
  'Date',
  'DateTime',
  'Time',
  'Code',
  'Oid',
  'Id',
  'Markdown',
  'UnsignedInt',
  'PositiveInt',
  'Uuid',
]);

/**
 * Checks a resource (already valid against the base R4 definition) against a profile's snapshot
 * (http://hl7.org/fhir/R4/profiling.html): cardinalities, slices and their discriminators,
 * type restrictions, fixed and pattern values, reference targets, the profile's own invariants
 * (FHIRPath) and the extension definitions its slices name. Codes under the profile's required
 * bindings are returned for the terminology check rather than checked here.
 */
export function checkAgainstProfile(resource: Resource, profile: StructureDefinition, lookup: ProfileLookup): ProfileCheck {
  const walker = new ProfileWalker(resource, lookup);
  const root = elementTree(profile);
  walker.checkValue(root, resource, resource.resourceType, resource.resourceType, 0);
  return { issues: walker.issues, bindings: walker.bindings };
}

interface TypedItem {
  readonly value: unknown;
  /** The data type, from the JSON name for choice elements (`valueMoney` is Money). */
  readonly type?: string;
}

class ProfileWalker {
  readonly issues: OperationOutcomeIssue[] = [];
  readonly bindings: BindingCheck[] = [];
  private readonly resourceValue: TypedValue;

  constructor(
    resource: Resource,
    private readonly lookup: ProfileLookup,
  ) {
    this.resourceValue = toTypedValue(resource);
  }

  private issue(code: OperationOutcomeIssue['code'], expression: string, diagnostics: string): void {
    this.issues.push({ severity: 'error', code, diagnostics, expression: [expression] });
  }

  /** Checks one value against an element node (the root, an element or a slice). */
  checkValue(node: ElementNode, value: unknown, type: string | undefined, expression: string, depth: number): void {
    if (depth > MAX_DEPTH) {
      return;
    }
    const element = node.element;
    const types = element.type ?? [];
    if (type && types.length > 0 && !types.some((t) => t.code === type)) {
      this.issue('structure', expression, `Type ${type} is not allowed here; expected ${types.map((t) => t.code).join(' or ')}`);
      return;
    }
    if (element.maxLength !== undefined && typeof value === 'string' && value.length > element.maxLength) {
      this.issue('value', expression, `${element.path} is at most ${element.maxLength} characters long, found ${value.length}`);
    }
    this.checkFixedAndPattern(element, value, expression);
    this.collectBinding(element, value, type ?? types[0]?.code, expression);
    this.checkReferenceTarget(element, value, expression);
    this.checkInvariants(element, value, type ?? types[0]?.code ?? node.name, expression);
    const profileUrl = types.find((t) => !type || t.code === type)?.profile?.[0];
    const typeProfile = profileUrl && !profileUrl.startsWith(CORE_DEFINITIONS) ? this.lookup(profileUrl) : undefined;
    if (typeProfile) {
      this.checkValue(elementTree(typeProfile), value, undefined, expression, depth + 1);
    }
    if (node.children.length > 0 && typeof value === 'object' && value !== null) {
      for (const child of node.children) {
        this.checkChild(child, value as Record<string, unknown>, expression, depth + 1);
      }
    }
  }

  private checkChild(node: ElementNode, object: Record<string, unknown>, parentExpression: string, depth: number): void {
    const items: { item: TypedItem; expression: string }[] = [];
    for (const [key, type] of jsonKeys(node.name, object)) {
      const raw = object[key];
      const list = Array.isArray(raw) ? raw : [raw];
      list.forEach((value, i) => {
        if (value !== undefined && value !== null) {
          items.push({ item: { value, type }, expression: `${parentExpression}.${key}${Array.isArray(raw) ? `[${i}]` : ''}` });
        }
      });
    }
    const element = node.element;
    const where = items[0]?.expression ?? `${parentExpression}.${node.name.replace('[x]', '')}`;
    if (items.length < (element.min ?? 0)) {
      this.issue('required', where, `${element.path} needs at least ${element.min} value(s), found ${items.length}`);
    }
    if (items.length > maxOf(element)) {
      this.issue('structure', where, `${element.path} allows at most ${element.max} value(s), found ${items.length}`);
    }
    if (node.slices.length > 0) {
      this.checkSlices(node, items, where, depth);
    }
    for (const { item, expression } of items) {
      this.checkValue(node, item.value, item.type, expression, depth);
    }
  }

  private checkSlices(node: ElementNode, items: { item: TypedItem; expression: string }[], where: string, depth: number): void {
    const counts = new Map<ElementNode, number>(node.slices.map((s) => [s, 0]));
    const discriminators = node.element.slicing?.discriminator ?? [];
    for (const { item, expression } of items) {
      const slice = node.slices.find((s) => matchesSlice(s, item, discriminators));
      if (slice) {
        counts.set(slice, (counts.get(slice) ?? 0) + 1);
        this.checkValue(slice, item.value, item.type, expression, depth);
      } else if (node.element.slicing?.rules === 'closed') {
        this.issue('structure', expression, `The value matches none of the slices of ${node.element.path} (slicing is closed)`);
      }
    }
    for (const [slice, count] of counts) {
      if (count < (slice.element.min ?? 0) || count > maxOf(slice.element)) {
        const max = slice.element.max ?? '*';
        this.issue(
          count < (slice.element.min ?? 0) ? 'required' : 'structure',
          where,
          `${slice.element.id} needs ${slice.element.min ?? 0}..${max} value(s), found ${count}`,
        );
      }
    }
  }

  private checkFixedAndPattern(element: ElementDefinition, value: unknown, expression: string): void {
    for (const [key, expected] of Object.entries(element)) {
      if (key.startsWith('fixed') && !deepEqual(value, expected)) {
        this.issue('value', expression, `${element.path} must be exactly ${JSON.stringify(expected)}`);
      } else if (key.startsWith('pattern') && !deepIncludes(value, expected)) {
        this.issue('value', expression, `${element.path} must match the pattern ${JSON.stringify(expected)}`);
      }
    }
  }

  private collectBinding(element: ElementDefinition, value: unknown, type: string | undefined, expression: string): void {
    const binding = element.binding;
    if (binding?.strength !== 'required' || !binding.valueSet || binding.valueSet.startsWith(CORE_VALUE_SETS)) {
      return;
    }
    let codings: Coding[] | undefined;
    if (typeof value === 'string' && (type === 'code' || type === 'string' || type === 'uri')) {
      codings = [{ code: value }];
    } else if (type === 'Coding') {
      codings = [value as Coding];
    } else if (type === 'CodeableConcept') {
      codings = (value as { coding?: Coding[] }).coding ?? [];
    }
    if (codings) {
      this.bindings.push({ valueSet: binding.valueSet, expression, path: element.path as string, codings });
    }
  }

  private checkReferenceTarget(element: ElementDefinition, value: unknown, expression: string): void {
    const targets = element.type?.find((t) => t.code === 'Reference')?.targetProfile;
    if (!targets?.length || typeof value !== 'object' || value === null) {
      return;
    }
    const actual = referencedType(value as { reference?: string; type?: string });
    const allowed = targets.map((url) => this.lookup(url)?.type ?? url.slice(url.lastIndexOf('/') + 1));
    if (actual && !allowed.includes(actual) && !allowed.includes('Resource')) {
      this.issue('structure', expression, `${element.path} must reference ${allowed.join(' or ')}, not ${actual}`);
    }
  }

  private checkInvariants(element: ElementDefinition, value: unknown, type: string, expression: string): void {
    for (const constraint of element.constraint ?? []) {
      if (
        constraint.severity !== 'error' ||
        !constraint.expression ||
        !constraint.source ||
        constraint.source.startsWith(CORE_DEFINITIONS)
      ) {
        continue;
      }
      const context: TypedValue =
        typeof value === 'object' && value !== null && 'resourceType' in value ? toTypedValue(value) : { type, value };
      let holds = false;
      try {
        const result = evalFhirPathTyped(constraint.expression, [context], { '%resource': this.resourceValue, '%context': context });
        holds = result.length === 1 && result[0].value === true;
      } catch (error) {
        this.issue('invariant', expression, `${constraint.key}: the invariant could not be evaluated (${String(error)})`);
        continue;
      }
      if (!holds) {
        this.issue('invariant', expression, `${constraint.key}: ${constraint.human}`);
      }
    }
  }
}

function maxOf(element: ElementDefinition): number {
  return element.max === undefined || element.max === '*' ? Infinity : Number(element.max);
}

/** JSON property names of an element: `value[x]` is `valueQuantity`, `valueString`, ... */
function jsonKeys(name: string, object: Record<string, unknown>): [string, string | undefined][] {
  if (!name.endsWith('[x]')) {
    return name in object ? [[name, undefined]] : [];
  }
  const prefix = name.slice(0, -3);
  return Object.keys(object)
    .filter((key) => key.startsWith(prefix) && /^[A-Z]/.test(key.slice(prefix.length)))
    .map((key) => {
      const type = key.slice(prefix.length);
      return [key, PRIMITIVES.has(type) ? type.charAt(0).toLowerCase() + type.slice(1) : type];
    });
}

/** The resource type a reference points at, when the reference says (relative, absolute, conditional or `type`). */
function referencedType(reference: { reference?: string; type?: string }): string | undefined {
  if (reference.type) {
    return reference.type;
  }
  const text = reference.reference;
  if (!text || text.startsWith('#') || text.startsWith('urn:')) {
    return undefined;
  }
  const conditional = /^([A-Z][A-Za-z]+)\?/.exec(text);
  const literal = /(?:^|\/)([A-Z][A-Za-z]+)\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$/.exec(text);
  return conditional?.[1] ?? literal?.[1];
}

function matchesSlice(slice: ElementNode, item: TypedItem, discriminators: readonly { type?: string; path?: string }[]): boolean {
  return discriminators.every((d) => {
    if (d.type === 'type') {
      return !item.type || (slice.element.type ?? []).some((t) => t.code === item.type);
    }
    const expected = discriminatorValue(slice, d.path as string);
    if (!expected) {
      return false;
    }
    const actuals = valuesAt(item.value, d.path as string);
    return actuals.some((actual) => (expected.fixed ? deepEqual(actual, expected.value) : deepIncludes(actual, expected.value)));
  });
}

/** The fixed or pattern value a slice requires at a discriminator path; an extension slice's URL is its profile. */
function discriminatorValue(slice: ElementNode, path: string): { fixed: boolean; value: unknown } | undefined {
  let node: ElementNode | undefined = slice;
  if (path !== '$this') {
    for (const segment of path.split('.')) {
      node = node?.children.find((c) => c.name === segment);
    }
  }
  if (node) {
    for (const [key, value] of Object.entries(node.element)) {
      if (key.startsWith('fixed') || key.startsWith('pattern')) {
        return { fixed: key.startsWith('fixed'), value };
      }
    }
  }
  const extensionUrl = slice.element.type?.find((t) => t.code === 'Extension')?.profile?.[0];
  return path === 'url' && extensionUrl ? { fixed: true, value: extensionUrl } : undefined;
}

function valuesAt(value: unknown, path: string): unknown[] {
  let current: unknown[] = [value];
  if (path === '$this') {
    return current;
  }
  for (const segment of path.split('.')) {
    current = current.flatMap((v) => {
      const next = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[segment] : undefined;
      return next === undefined ? [] : Array.isArray(next) ? next : [next];
    });
  }
  return current;
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a)) === JSON.stringify(sortKeys(b));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(sortKeys);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

/** Pattern matching (ElementDefinition.pattern[x]): every property and array item of the pattern is present. */
function deepIncludes(actual: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) {
    return Array.isArray(actual) && pattern.every((p) => actual.some((a) => deepIncludes(a, p)));
  }
  if (typeof pattern === 'object' && pattern !== null) {
    return (
      typeof actual === 'object' &&
      actual !== null &&
      Object.entries(pattern).every(([k, v]) => deepIncludes((actual as Record<string, unknown>)[k], v))
    );
  }
  return actual === pattern;
}
