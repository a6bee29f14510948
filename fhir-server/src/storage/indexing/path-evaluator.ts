import type { TypedValue } from '@medplum/core';
import { elementIndex } from '../../definitions';

/**
 * Most SearchParameter expressions are plain paths (`Patient.name.family`), sometimes with
 * `.where(system='email')`, `.where(resolve() is Patient)` or a type cast (`value as Quantity`,
 * `.as(T)`, `.ofType(T)`). For those, walking the JSON directly is an order of magnitude
 * cheaper than the general FHIRPath engine, which matters on every write. Element types come
 * from the R4 definitions at compile time; anything else returns undefined and the caller
 * falls back to FHIRPath. Results equal FHIRPath's (checked against it in the tests).
 */
export type PathEvaluator = (resource: unknown) => TypedValue[];

type Step =
  | { readonly kind: 'property'; readonly choices: readonly { readonly name: string; readonly type: string }[] }
  | { readonly kind: 'where-equals'; readonly field: string; readonly literal: string }
  | { readonly kind: 'where-resolves'; readonly type: string };

const PRIMITIVE_TYPES = new Set([
  'boolean',
  'integer',
  'string',
  'decimal',
  'uri',
  'url',
  'canonical',
  'base64Binary',
  'instant',
  'date',
  'dateTime',
  'time',
  'code',
  'oid',
  'id',
  'markdown',
  'unsignedInt',
  'positiveInt',
  'uuid',
  'xhtml',
]);
const INLINE_TYPES = new Set(['BackboneElement', 'Element']);

export function compilePathEvaluator(expression: string, resourceType: string): PathEvaluator | undefined {
  const branches = expression.split(' | ').map((branch) => compileBranch(branch.trim(), resourceType));
  if (branches.some((branch) => !branch)) {
    return undefined;
  }
  const compiled = branches as Step[][];
  if (compiled.length === 1) {
    const [steps] = compiled;
    return (resource) => walk(resource, steps);
  }
  return (resource) => compiled.flatMap((steps) => walk(resource, steps));
}

const IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9]*/;
const TYPE_NAME = /^[A-Za-z][A-Za-z0-9]*/;

function compileBranch(branch: string, resourceType: string): Step[] | undefined {
  let text = branch;
  let trailingCast: string | undefined;
  const parenthesised = /^\((.*) as ([A-Za-z][A-Za-z0-9]*)\)$/.exec(text) ?? /^(.*) as ([A-Za-z][A-Za-z0-9]*)$/.exec(text);
  if (parenthesised) {
    text = parenthesised[1];
    trailingCast = parenthesised[2];
  }
  if (!text.startsWith(resourceType + '.')) {
    return undefined;
  }
  text = text.slice(resourceType.length);
  const steps: Step[] = [];
  // The path of the current element in the definitions (for inline backbone elements), or its type.
  let context: { path: string; type: string } = { path: resourceType, type: resourceType };
  while (text.length > 0) {
    if (!text.startsWith('.')) {
      return undefined;
    }
    text = text.slice(1);
    const call = /^(where|as|ofType)\((.*?)\)(?=\.|$)/.exec(text);
    if (call) {
      text = text.slice(call[0].length);
      const [, fn, argument] = call;
      if (fn === 'where') {
        const step = whereStep(argument);
        if (!step) {
          return undefined;
        }
        steps.push(step);
        continue;
      }
      // .as(T) / .ofType(T) right after a choice property picks that choice.
      const cast = castStep(steps, argument);
      if (!cast) {
        return undefined;
      }
      context = cast;
      continue;
    }
    const name = IDENTIFIER.exec(text)?.[0];
    if (!name) {
      return undefined;
    }
    text = text.slice(name.length);
    const step = propertyStep(context, name);
    if (!step) {
      return undefined;
    }
    steps.push(step.step);
    context = step.context;
  }
  if (trailingCast && !castStep(steps, trailingCast)) {
    return undefined;
  }
  return steps;
}

function propertyStep(
  context: { path: string; type: string },
  name: string,
): { step: Step; context: { path: string; type: string } } | undefined {
  const base = INLINE_TYPES.has(context.type) ? context.path : context.type;
  const element = elementIndex.element(`${base}.${name}`);
  if (element) {
    const target = element.contentReference ?? `${base}.${name}`;
    const types = (element.contentReference ? (elementIndex.element(element.contentReference)?.types ?? []) : element.types).map(
      systemTypeToFhir,
    );
    if (types.length !== 1) {
      return undefined;
    }
    return { step: { kind: 'property', choices: [{ name, type: types[0] }] }, context: { path: target, type: types[0] } };
  }
  const choice = elementIndex.element(`${base}.${name}[x]`);
  if (!choice || choice.types.length === 0) {
    return undefined;
  }
  const choices = choice.types.map((type) => ({ name: name + type.charAt(0).toUpperCase() + type.slice(1), type }));
  return { step: { kind: 'property', choices }, context: { path: `${base}.${name}[x]`, type: '*' } };
}

/** Narrows the choice property just before to one type; the context becomes that type. */
function castStep(steps: Step[], type: string): { path: string; type: string } | undefined {
  const last = steps[steps.length - 1];
  if (!TYPE_NAME.test(type) || last?.kind !== 'property') {
    return undefined;
  }
  const chosen = last.choices.filter((choice) => choice.type === type);
  if (chosen.length === 0) {
    return undefined;
  }
  steps[steps.length - 1] = { kind: 'property', choices: chosen };
  return { path: type, type };
}

function whereStep(argument: string): Step | undefined {
  const equals = /^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*'([^'\\]*)'$/.exec(argument);
  if (equals) {
    return { kind: 'where-equals', field: equals[1], literal: equals[2] };
  }
  const resolves = /^resolve\(\) is ([A-Z][A-Za-z0-9]*)$/.exec(argument);
  if (resolves) {
    return { kind: 'where-resolves', type: resolves[1] };
  }
  return undefined;
}

function walk(resource: unknown, steps: readonly Step[]): TypedValue[] {
  let current: TypedValue[] = [{ type: '', value: resource }];
  for (const step of steps) {
    const next: TypedValue[] = [];
    for (const item of current) {
      const value = item.value as Record<string, unknown>;
      if (step.kind === 'property') {
        for (const choice of step.choices) {
          pushAll(next, value[choice.name], choice.type);
        }
      } else if (step.kind === 'where-equals') {
        if (value[step.field] === step.literal) {
          next.push(item);
        }
      } else if (referenceType(value) === step.type) {
        next.push(item);
      }
    }
    if (next.length === 0) {
      return next;
    }
    current = next;
  }
  return current;
}

function pushAll(out: TypedValue[], value: unknown, type: string): void {
  if (value === undefined || value === null) {
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      if (item !== undefined && item !== null && (PRIMITIVE_TYPES.has(type) || typeof item === 'object')) {
        out.push({ type, value: item });
      }
    }
  } else if (PRIMITIVE_TYPES.has(type) || typeof value === 'object') {
    out.push({ type, value });
  }
}

/** `id` and `Extension.url` are typed with FHIRPath system types in the R4 snapshots. */
function systemTypeToFhir(type: string): string {
  return type.startsWith('http://hl7.org/fhirpath/System.') ? 'string' : type;
}

/** The type `resolve()` would give a Reference: `Type/id`, `Type?criteria`, or `.../Type/id` absolute. */
function referenceType(value: Record<string, unknown>): string | undefined {
  const inline = value.resource as { resourceType?: string } | undefined;
  if (inline?.resourceType) {
    return inline.resourceType;
  }
  const reference = value.reference;
  if (typeof reference !== 'string') {
    return undefined;
  }
  if (reference.includes('?')) {
    return reference.split('?')[0];
  }
  const segments = reference.split('/');
  if (segments.length === 2) {
    return segments[0];
  }
  const history = segments.lastIndexOf('_history');
  const typeAt = history > 0 ? history - 2 : segments.length - 2;
  return typeAt >= 0 ? segments[typeAt] : undefined;
}
