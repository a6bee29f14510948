import {
  evalFhirPathTyped,
  fhirTypeToJsType,
  getDataType,
  isPrimitiveType,
  parseFhirPath,
  toTypedValue,
  UCUM,
  validationRegexes,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type TypedValue,
} from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

/**
 * A fast yes-or-unsure structure check, compiled from the same schema @medplum/core's validator
 * reads (getDataType), applying the same rules: known properties only, array-ness and
 * cardinality, required elements, no empty values, primitive JSON types and formats, and every
 * error-severity invariant the full validator evaluates (the same FHIRPath, or an equivalent
 * predicate for the common ones).
 *
 * It answers `true` only when the full validator would accept the resource. Whenever it finds a
 * problem or meets something it does not handle (contained resources, primitive extensions
 * `_x`, profiles' slicing/fixed/pattern), it answers `false` and the caller runs the full
 * validator, which decides and describes the issues. Why: the full validator walks every
 * element of every type's schema, present or not, and costs about 0.6 ms for a Synthea
 * Patient; this walks only the properties present.
 */
export function passesFastStructureCheck(resource: Resource): boolean {
  const schema = compiledType(resource.resourceType);
  if (!schema) {
    return false;
  }
  const root: TypedValue = { type: resource.resourceType, value: resource };
  const walk: Walk = { root, resource: root };
  return (
    checkObject(resource as unknown as Record<string, unknown>, schema, walk, true) && constraintsHold(schema.rootConstraints, root, walk)
  );
}

/** Invariants the full validator skips (it lists the same keys). */
const SKIPPED_CONSTRAINTS = new Set(['ele-1', 'dom-3', 'org-1', 'sdf-19']);
const MAX_STRING_LENGTH = 1024 * 1024;

interface Walk {
  readonly root: TypedValue;
  /** `%resource`: the resource being validated (contained resources are not handled here). */
  readonly resource: TypedValue;
}

interface CompiledConstraint {
  readonly expression: ReturnType<typeof parseFhirPath>;
  /** An equivalent predicate for common invariants: true/false, or undefined to evaluate the FHIRPath. */
  readonly quick?: (value: Record<string, unknown>) => boolean | undefined;
}

interface CompiledElement {
  /** Element name as in the schema (`value[x]`). */
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly isArray: boolean;
  readonly isChoice: boolean;
  readonly constraints: readonly CompiledConstraint[];
  /** Unsupported by this check (slicing, fixed/pattern values, nested resources): always unsure. */
  readonly unsupported: boolean;
}

interface CompiledProperty {
  readonly element: CompiledElement;
  /** The FHIR type of the value under this JSON key. */
  readonly type: string;
}

interface CompiledType {
  readonly properties: ReadonlyMap<string, CompiledProperty>;
  /** Elements with min > 0, with the JSON keys that can carry them. */
  readonly required: readonly { element: CompiledElement; keys: readonly string[] }[];
  readonly rootConstraints: readonly CompiledConstraint[];
}

const compiled = new Map<string, CompiledType | null>();

function compiledType(type: string): CompiledType | undefined {
  let entry = compiled.get(type);
  if (entry === undefined) {
    entry = compileType(type);
    compiled.set(type, entry);
  }
  return entry ?? undefined;
}

function compileType(type: string): CompiledType | null {
  let schema: InternalTypeSchema;
  try {
    schema = getDataType(type);
  } catch {
    return null;
  }
  const properties = new Map<string, CompiledProperty>();
  const required: { element: CompiledElement; keys: string[] }[] = [];
  for (const [name, definition] of Object.entries(schema.elements)) {
    if (name.includes('.')) {
      return null;
    }
    const element = compileElement(name, definition, schema.elements);
    const keys: string[] = [];
    for (const { code } of definition.type ?? []) {
      const key = element.isChoice ? name.slice(0, -3) + code.charAt(0).toUpperCase() + code.slice(1) : name;
      keys.push(key);
      if (!properties.has(key)) {
        properties.set(key, { element, type: code });
      }
    }
    if (element.min > 0) {
      required.push({ element, keys });
    }
  }
  return { properties, required, rootConstraints: compileConstraints(schema.constraints) };
}

function compileElement(name: string, definition: InternalSchemaElement, siblings: Record<string, InternalSchemaElement>): CompiledElement {
  const types = definition.type ?? [];
  return {
    name,
    min: definition.min,
    max: definition.max,
    isArray: definition.isArray ?? false,
    isChoice: name.endsWith('[x]'),
    constraints: compileConstraints(definition.constraints),
    unsupported:
      types.length === 0 ||
      Boolean(definition.slicing || definition.fixed || definition.pattern) ||
      types.some((t) => t.code === 'Resource' || t.code === 'DomainResource') ||
      (types.length > 1 && !name.endsWith('[x]')) ||
      (!name.endsWith('[x]') && looksLikeChoice(name, siblings)),
  };
}

/**
 * The full validator recognises choice properties by splitting a key before capitals
 * (`valueCodeableConcept` -> `value[x]`); a plain element that splits into a choice's name
 * would be judged differently there, so such elements are left to it.
 */
function looksLikeChoice(name: string, siblings: Record<string, InternalSchemaElement>): boolean {
  let prefix = '';
  for (const part of name.split(/(?=[A-Z])/g)) {
    prefix += part;
    if (siblings[prefix + '[x]']) {
      return true;
    }
  }
  return false;
}

function compileConstraints(constraints: InternalTypeSchema['constraints']): CompiledConstraint[] {
  return (constraints ?? [])
    .filter((c) => c.severity === 'error' && !SKIPPED_CONSTRAINTS.has(c.key))
    .map((c) => ({ expression: parseFhirPath(c.expression), quick: QUICK_INVARIANTS[c.expression] }));
}

function checkObject(object: Record<string, unknown>, type: CompiledType, walk: Walk, isRoot: boolean): boolean {
  let choices: Set<string> | undefined;
  let count = 0;
  for (const key in object) {
    count++;
    if (key === 'resourceType' && isRoot) {
      continue;
    }
    const property = type.properties.get(key);
    if (!property || property.element.unsupported) {
      return false;
    }
    const { element } = property;
    if (element.isChoice) {
      choices ??= new Set();
      if (choices.has(element.name)) {
        return false;
      }
      choices.add(element.name);
    }
    const value = object[key];
    if (element.isArray) {
      if (!Array.isArray(value) || value.length === 0 || value.length < element.min || value.length > element.max) {
        return false;
      }
      for (const item of value) {
        if (!checkValue(item, property, walk)) {
          return false;
        }
      }
    } else if (Array.isArray(value) || !checkValue(value, property, walk)) {
      return false;
    }
  }
  if (count === 0) {
    return false;
  }
  for (const { keys } of type.required) {
    if (!keys.some((key) => key in object)) {
      return false;
    }
  }
  return true;
}

function checkValue(value: unknown, property: CompiledProperty, walk: Walk): boolean {
  if (value === null || value === undefined) {
    return false;
  }
  if (isPrimitiveType(property.type)) {
    if (!checkPrimitive(value, property.type)) {
      return false;
    }
  } else {
    const nested = typeof value === 'object' && !Array.isArray(value) ? compiledType(property.type) : undefined;
    if (!nested || !checkObject(value as Record<string, unknown>, nested, walk, false)) {
      return false;
    }
  }
  return constraintsHold(property.element.constraints, { type: property.type, value }, walk);
}

function checkPrimitive(value: unknown, type: string): boolean {
  const jsType = (fhirTypeToJsType as Record<string, string>)[type];
  if (jsType === undefined || typeof value !== jsType) {
    return false;
  }
  if (jsType === 'string') {
    const text = value as string;
    const regex = validationRegexes[type];
    return text.trim() !== '' && text.length <= MAX_STRING_LENGTH && (!regex || regex.test(text));
  }
  if (jsType === 'number') {
    const n = value as number;
    if (!Number.isFinite(n)) {
      return false;
    }
    if (type === 'integer' || type === 'positiveInt' || type === 'unsignedInt') {
      return Number.isInteger(n) && (type !== 'positiveInt' || n > 0) && (type !== 'unsignedInt' || n >= 0);
    }
  }
  return true;
}

function constraintsHold(constraints: readonly CompiledConstraint[], typed: TypedValue, walk: Walk): boolean {
  for (const constraint of constraints) {
    const quick = constraint.quick?.(typed.value as Record<string, unknown>);
    if (quick === false) {
      return false;
    }
    if (quick === undefined && !evaluates(constraint, typed, walk)) {
      return false;
    }
  }
  return true;
}

const UCUM_VALUE = toTypedValue(UCUM);

/** The invariant's FHIRPath, with the variables the full validator provides. */
function evaluates(constraint: CompiledConstraint, typed: TypedValue, walk: Walk): boolean {
  try {
    const result = evalFhirPathTyped(constraint.expression, [typed], {
      '%context': typed,
      '%ucum': UCUM_VALUE,
      '%resource': walk.resource,
      '%rootResource': walk.root,
    });
    return result.length === 1 && result[0].value === true;
  } catch {
    return false;
  }
}

const has = (value: Record<string, unknown>, key: string): boolean => value[key] !== undefined;

/**
 * Equivalent predicates for the invariants met on nearly every write, keyed by expression.
 * Each answers true or false only where the FHIRPath result is certain, else undefined.
 */
const QUICK_INVARIANTS: Record<string, (value: Record<string, unknown>) => boolean | undefined> = {
  // ext-1: an extension has nested extensions or a value[x], not both.
  'extension.exists() != value.exists()': (v) => has(v, 'extension') !== Object.keys(v).some((k) => /^value[A-Z]/.test(k)),
  // dom-2, dom-4, dom-5: about contained resources (which send the check to the full validator).
  'contained.contained.empty()': (v) => (has(v, 'contained') ? undefined : true),
  'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()': (v) => (has(v, 'contained') ? undefined : true),
  'contained.meta.security.empty()': (v) => (has(v, 'contained') ? undefined : true),
  // ref-1: a local (#) reference needs a contained resource.
  "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))": (v) =>
    typeof v.reference === 'string' && !v.reference.startsWith('#') ? true : undefined,
  // cpt-2
  'value.empty() or system.exists()': (v) => !has(v, 'value') || has(v, 'system'),
  // app-1 (Appointment.participant)
  'type.exists() or actor.exists()': (v) => (has(v, 'type') || has(v, 'actor') ? true : undefined),
  // app-2, app-3, app-4
  'start.exists() = end.exists()': (v) => has(v, 'start') === has(v, 'end'),
  "(start.exists() and end.exists()) or (status in ('proposed' | 'cancelled' | 'waitlist'))": (v) =>
    has(v, 'start') && has(v, 'end') ? true : undefined,
  "Appointment.cancelationReason.exists() implies (Appointment.status='noshow' or Appointment.status='cancelled')": (v) =>
    has(v, 'cancelationReason') ? undefined : true,
};
