import {
  DotAtom,
  evalFhirPathTyped,
  FhirPathAtom,
  FunctionAtom,
  getElementDefinition,
  IndexerAtom,
  LiteralAtom,
  parseFhirPath,
  SymbolAtom,
  toTypedValue,
  type Atom,
  type InternalSchemaElement,
} from '@medplum/core';
import type { ParametersParameter, Resource } from '@medplum/fhirtypes';
import { badRequest, unprocessable } from '../outcomes';

/**
 * FHIRPath Patch (http://hl7.org/fhir/R4/fhirpatch.html): a Parameters resource whose
 * `operation` parameters add, insert, delete, replace or move elements named by FHIRPath.
 * Paths are the navigational subset that names places in the resource: element names,
 * `[n]`, `where(...)`, `first()` and `last()`; anything else (`resolve()`, arithmetic) is refused.
 */
export type FhirPathPatchOperation =
  | { readonly type: 'add'; readonly path: string; readonly name: string; readonly value: ParametersParameter }
  | { readonly type: 'insert'; readonly path: string; readonly value: ParametersParameter; readonly index: number }
  | { readonly type: 'delete'; readonly path: string }
  | { readonly type: 'replace'; readonly path: string; readonly value: ParametersParameter }
  | { readonly type: 'move'; readonly path: string; readonly source: number; readonly destination: number };

type JsonObject = Record<string, unknown>;

/** A place in the resource: the element, its FHIR type, and where it sits in its parent. */
interface Place {
  readonly value: unknown;
  readonly type: string | undefined;
  readonly parent?: JsonObject;
  readonly key?: string;
  readonly index?: number;
  /** The base name when the element is a choice (`value` of `valueQuantity`). */
  readonly choice?: string;
}

/** An element name as FHIR spells them; never one of an object's own machinery (`__proto__`). */
const ELEMENT_NAME = /^[a-z][A-Za-z0-9]*(\[x\])?$/;

/** What a path may start from besides the resource type: the resource itself. */
const ROOT_NAMES = new Set(['%resource', '%rootResource', '$this']);

const PART_NAMES = new Set(['type', 'path', 'name', 'value', 'index', 'source', 'destination']);
const REQUIRED_PARTS: Record<FhirPathPatchOperation['type'], readonly string[]> = {
  add: ['path', 'name', 'value'],
  insert: ['path', 'value', 'index'],
  delete: ['path'],
  replace: ['path', 'value'],
  move: ['path', 'source', 'destination'],
};

/** The operations of a FHIRPath Patch Parameters body (already valid R4 Parameters); 400 when malformed. */
export function parseFhirPathPatch(parameters: readonly ParametersParameter[]): FhirPathPatchOperation[] {
  return parameters.map((parameter, i) => {
    const at = `Parameters.parameter[${i}]`;
    if (parameter.name !== 'operation' || !parameter.part) {
      throw badRequest('Each parameter of a FHIRPath Patch is an "operation" with parts', at);
    }
    const parts = new Map<string, ParametersParameter>();
    for (const part of parameter.part) {
      if (!PART_NAMES.has(part.name as string) || parts.has(part.name as string)) {
        throw badRequest(`Unknown or repeated part "${part.name}" of a FHIRPath Patch operation`, `${at}.part`);
      }
      parts.set(part.name as string, part);
    }
    const type = parts.get('type')?.valueCode;
    if (!type || !(type in REQUIRED_PARTS)) {
      throw badRequest(`A FHIRPath Patch operation's type is one of ${Object.keys(REQUIRED_PARTS).join(', ')}`, `${at}.part`);
    }
    const missing = REQUIRED_PARTS[type as FhirPathPatchOperation['type']].filter((name) => !parts.has(name));
    if (missing.length > 0) {
      throw badRequest(`A FHIRPath Patch "${type}" operation needs the part(s) ${missing.join(', ')}`, `${at}.part`);
    }
    const text = (name: string): string => requireString(parts.get(name)?.valueString, name, at);
    const integer = (name: string): number => requireIndex(parts.get(name)?.valueInteger, name, at);
    const value = parts.get('value') as ParametersParameter;
    switch (type) {
      case 'add':
        return { type, path: text('path'), name: text('name'), value };
      case 'insert':
        return { type, path: text('path'), value, index: integer('index') };
      case 'delete':
        return { type, path: text('path') };
      case 'replace':
        return { type, path: text('path'), value };
      default:
        return { type: 'move', path: text('path'), source: integer('source'), destination: integer('destination') };
    }
  });
}

/** The resource with the operations applied in order, on a copy; 422 when one cannot apply. */
export function applyFhirPathPatch<T extends Resource>(resource: T, operations: readonly FhirPathPatchOperation[]): T {
  const patched = structuredClone(resource);
  operations.forEach((operation, i) => applyOperation(patched, operation, `Parameters.parameter[${i}]`));
  return patched;
}

function applyOperation(resource: Resource, operation: FhirPathPatchOperation, at: string): void {
  const root: Place = { value: resource, type: resource.resourceType };
  switch (operation.type) {
    case 'add': {
      const target = single(locate(root, operation.path, at), operation.path, at);
      if (!isObject(target.value)) {
        throw unprocessable(`"${operation.path}" is not an element that can hold "${operation.name}"`, at);
      }
      addProperty(target.value, target.type, operation.name, operation.value, at);
      return;
    }
    case 'replace': {
      const target = single(locate(root, operation.path, at), operation.path, at);
      replace(target, operation.value, operation.path, at);
      return;
    }
    case 'delete': {
      const found = locate(root, operation.path, at);
      if (found.length > 1) {
        throw unprocessable(`"${operation.path}" matches ${found.length} elements; delete takes one`, at);
      }
      if (found.length === 1) {
        remove(found[0], operation.path, at);
      }
      return;
    }
    case 'insert': {
      const { list, definition } = collection(root, operation.path, at);
      if (operation.index > list.length) {
        throw unprocessable(`index ${operation.index} is past the end of "${operation.path}" (${list.length} elements)`, at);
      }
      list.splice(operation.index, 0, valueOf(operation.value, singleType(definition), at));
      return;
    }
    case 'move': {
      const { list } = collection(root, operation.path, at);
      if (operation.source >= list.length || operation.destination >= list.length) {
        throw unprocessable(`"${operation.path}" has ${list.length} elements; source and destination must be below that`, at);
      }
      list.splice(operation.destination, 0, ...list.splice(operation.source, 1));
      return;
    }
  }
}

function addProperty(target: JsonObject, type: string | undefined, name: string, value: ParametersParameter, at: string): void {
  const typed = type ? typedChoice(type, name) : undefined;
  const definition = typed?.definition ?? (type ? definitionOf(type, name) : undefined);
  if (!definition) {
    throw unprocessable(`${type ?? 'The element'} has no element "${name}"`, at);
  }
  const key = typed || !(name.endsWith('[x]') || definition.type.length > 1) ? name : choiceKey(name.replace('[x]', ''), value, at);
  const added = valueOf(value, typed?.type ?? singleType(definition), at);
  const existing = target[key];
  if (definition.isArray) {
    target[key] = Array.isArray(existing) ? [...(existing as unknown[]), added] : [added];
  } else if (existing !== undefined) {
    throw unprocessable(`"${name}" is already present and holds one value; use replace`, at);
  } else {
    target[key] = added;
  }
}

/** The replaced element goes whole: a primitive's id and extensions (its `_key` companion) with its value. */
function replace(target: Place, value: ParametersParameter, path: string, at: string): void {
  const { parent, key } = requireParent(target, path, at);
  const replacement = valueOf(value, target.type, at);
  if (target.index !== undefined) {
    (parent[key] as unknown[])[target.index] = replacement;
    const companion = parent[`_${key}`];
    if (Array.isArray(companion) && target.index < companion.length) {
      companion[target.index] = null;
      if (companion.every((item) => item === null)) {
        delete parent[`_${key}`];
      }
    }
    return;
  }
  delete parent[`_${key}`];
  if (target.choice !== undefined) {
    // A choice element takes the type of its new value: valueQuantity may become valueString.
    delete parent[key];
    parent[choiceKey(target.choice, value, at)] = replacement;
    return;
  }
  parent[key] = replacement;
}

function remove(target: Place, path: string, at: string): void {
  const { parent, key } = requireParent(target, path, at);
  if (target.index === undefined) {
    delete parent[key];
    delete parent[`_${key}`];
    return;
  }
  for (const name of [key, `_${key}`]) {
    const list = parent[name];
    if (Array.isArray(list)) {
      list.splice(target.index, 1);
      if (list.length === 0) {
        delete parent[name];
      }
    }
  }
}

/** The list an insert or move works on: the path names a repeating element of one parent. */
function collection(root: Place, path: string, at: string): { list: unknown[]; definition: InternalSchemaElement } {
  const { parents, name } = parentsAndName(root, path, at);
  const parent = single(parents, path, at);
  const definition = parent.type ? definitionOf(parent.type, name) : undefined;
  if (!isObject(parent.value) || !definition?.isArray) {
    throw unprocessable(`"${path}" is not a repeating element`, at);
  }
  const existing = parent.value[name];
  if (Array.isArray(existing)) {
    return { list: existing, definition };
  }
  const list: unknown[] = [];
  parent.value[name] = list;
  return { list, definition };
}

function parentsAndName(root: Place, path: string, at: string): { parents: Place[]; name: string } {
  const atom = parse(path, at);
  if (atom instanceof DotAtom && atom.right instanceof SymbolAtom) {
    return { parents: evaluate(root, atom.left, at), name: atom.right.name };
  }
  if (atom instanceof SymbolAtom && atom.name !== root.type) {
    return { parents: [root], name: atom.name };
  }
  throw unprocessable(`"${path}" does not end in an element name`, at);
}

function locate(root: Place, path: string, at: string): Place[] {
  return evaluate(root, parse(path, at), at);
}

function parse(path: string, at: string): Atom {
  let atom: Atom;
  try {
    atom = parseFhirPath(path);
  } catch {
    throw badRequest(`"${path}" is not a FHIRPath expression`, at);
  }
  return atom instanceof FhirPathAtom ? atom.child : atom;
}

/** The places an expression names, from the root; a symbol reached here is its first step (the rest go through step()). */
function evaluate(root: Place, atom: Atom, at: string): Place[] {
  if (atom instanceof SymbolAtom) {
    if (ROOT_NAMES.has(atom.name)) {
      return [root];
    }
    if (!ELEMENT_NAME.test(atom.name) && atom.name !== root.type) {
      throw badRequest(`"${atom.name}" names no element of the resource`, at);
    }
    return atom.name === root.type ? [root] : children(root, atom.name);
  }
  if (atom instanceof DotAtom) {
    const inputs = evaluate(root, atom.left, at);
    return step(inputs, atom.right, at);
  }
  if (atom instanceof IndexerAtom) {
    const index = atom.expr instanceof LiteralAtom ? atom.expr.value.value : undefined;
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0) {
      throw badRequest('A FHIRPath Patch path indexes with a non-negative integer literal', at);
    }
    const places = evaluate(root, atom.left, at);
    return index < places.length ? [places[index]] : [];
  }
  throw badRequest(`A FHIRPath Patch path names elements of the resource; "${atom.toString()}" does not`, at);
}

function step(inputs: Place[], atom: Atom, at: string): Place[] {
  if (atom instanceof SymbolAtom) {
    return inputs.flatMap((input) => children(input, atom.name));
  }
  if (atom instanceof FunctionAtom) {
    if (atom.name === 'where' && atom.args.length === 1) {
      const criteria = new FhirPathAtom(atom.args[0].toString(), atom.args[0]);
      return inputs.filter((input) => holds(criteria, input, at));
    }
    if (atom.name === 'first' && atom.args.length === 0) {
      return inputs.slice(0, 1);
    }
    if (atom.name === 'last' && atom.args.length === 0) {
      return inputs.slice(-1);
    }
  }
  throw badRequest(`A FHIRPath Patch path uses element names, [n], where(), first() and last(); not "${atom.toString()}"`, at);
}

/** Whether a where() criterion is true of an element; one the evaluator cannot run is a 400. */
function holds(criteria: FhirPathAtom, place: Place, at: string): boolean {
  try {
    return evalFhirPathTyped(criteria, [toTypedValue(place.value)]).some((result) => result.value === true);
  } catch (error) {
    throw badRequest(`where(${criteria.original}) cannot be evaluated: ${(error as Error).message}`, at);
  }
}

/** The elements named `name` of a place (each item of a list), a choice element by its base name too. */
function children(place: Place, name: string): Place[] {
  const parent = place.value;
  if (!isObject(parent)) {
    return [];
  }
  const definition = place.type ? definitionOf(place.type, name) : undefined;
  if (definition && definition.type.length > 1) {
    const chosen = definition.type.find((t) => parent[name + capitalise(t.code)] !== undefined);
    const key = chosen && name + capitalise(chosen.code);
    return chosen && key ? [{ value: parent[key], type: chosen.code, parent, key, choice: name }] : [];
  }
  const type = definition ? singleType(definition) : undefined;
  const value = Object.hasOwn(parent, name) ? parent[name] : undefined;
  if (value === undefined) {
    return [];
  }
  return Array.isArray(value)
    ? value.map((item, index) => ({ value: item, type, parent, key: name, index }))
    : [{ value, type, parent, key: name }];
}

/** A part's value: its `value[x]`, or the element its nested parts spell (fhirpatch.html#concept). */
function valueOf(part: ParametersParameter, type: string | undefined, at: string): unknown {
  const valueKey = Object.keys(part).find((key) => key.startsWith('value'));
  if (valueKey) {
    return structuredClone((part as unknown as JsonObject)[valueKey]);
  }
  if (!part.part) {
    throw badRequest(`"${part.name}" needs a value[x] or parts`, at);
  }
  const element: JsonObject = {};
  for (const child of part.part) {
    const name = child.name as string;
    if (!ELEMENT_NAME.test(name)) {
      throw badRequest(`"${name}" is not an element name`, at);
    }
    const definition = type ? definitionOf(type, name) : undefined;
    const key = definition && definition.type.length > 1 ? choiceKey(name, child, at) : name;
    const value = valueOf(child, definition ? singleType(definition) : undefined, at);
    const existing = element[key];
    if (definition?.isArray || existing !== undefined) {
      element[key] = existing === undefined ? [value] : [...(Array.isArray(existing) ? existing : [existing]), value];
    } else {
      element[key] = value;
    }
  }
  return element;
}

/** `value` + the type of the part's value[x]: `valueQuantity`. */
function choiceKey(base: string, part: ParametersParameter, at: string): string {
  const valueKey = Object.keys(part).find((key) => key.startsWith('value'));
  if (!valueKey) {
    throw badRequest(`The value of the choice element "${base}" must be a value[x], which says its type`, at);
  }
  return base + valueKey.slice('value'.length);
}

/** The element `name` of a type, when the name is an element name and the type has it. */
function definitionOf(type: string, name: string): InternalSchemaElement | undefined {
  if (!ELEMENT_NAME.test(name)) {
    return undefined;
  }
  const definition = getElementDefinition(type, name);
  return definition && Array.isArray(definition.type) ? definition : undefined;
}

/** A choice element named with its type (`valueQuantity`): the choice and that type. */
function typedChoice(type: string, name: string): { definition: InternalSchemaElement; type: string } | undefined {
  for (let split = 1; split < name.length; split++) {
    const suffix = name.slice(split);
    if (!/^[A-Z]/.test(suffix)) {
      continue;
    }
    const definition = definitionOf(type, name.slice(0, split));
    const chosen = definition?.type.find((t) => capitalise(t.code) === suffix);
    if (definition && definition.type.length > 1 && chosen) {
      return { definition, type: chosen.code };
    }
  }
  return undefined;
}

function singleType(definition: InternalSchemaElement): string | undefined {
  return definition.type.length === 1 ? definition.type[0].code : undefined;
}

function single(places: Place[], path: string, at: string): Place {
  if (places.length !== 1) {
    throw unprocessable(
      places.length === 0 ? `"${path}" matches no element of the resource` : `"${path}" matches ${places.length} elements, not one`,
      at,
    );
  }
  return places[0];
}

function requireParent(place: Place, path: string, at: string): { parent: JsonObject; key: string } {
  if (!place.parent || place.key === undefined) {
    throw unprocessable(`"${path}" is the resource itself, which a patch cannot replace or delete`, at);
  }
  return { parent: place.parent, key: place.key };
}

function requireString(value: string | undefined, name: string, at: string): string {
  if (!value) {
    throw badRequest(`The "${name}" part is a valueString`, `${at}.part`);
  }
  return value;
}

function requireIndex(value: number | undefined, name: string, at: string): number {
  if (value === undefined || !Number.isInteger(value) || value < 0) {
    throw badRequest(`The "${name}" part is a non-negative valueInteger`, `${at}.part`);
  }
  return value;
}

function capitalise(code: string): string {
  return code.charAt(0).toUpperCase() + code.slice(1);
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
