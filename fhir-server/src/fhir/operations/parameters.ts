import type {
  CodeableConcept,
  Coding,
  Meta,
  OperationDefinition,
  OperationDefinitionParameter,
  Parameters,
  ParametersParameter,
  Resource,
} from '@medplum/fhirtypes';
import type { FhirRequest } from '../fhir-request';
import { badRequest } from '../outcomes';
import { requireValidParameters } from '../validation/resource-validator';

/** Value properties that carry text, for parameters of any string-like type. */
const TEXT_VALUES = ['valueString', 'valueCode', 'valueUri', 'valueUrl', 'valueCanonical', 'valueId', 'valueMarkdown'] as const;

/** The parts of a Parameters body, which must be valid R4 (requireValidParameters): a 400 otherwise. */
export function partsOf(parameters: Parameters): ParametersParameter[] {
  return requireValidParameters(parameters).parameter ?? [];
}

/**
 * An operation's input parameters (http://hl7.org/fhir/R4/operations.html#request), from the
 * query string of a GET or a Parameters body of a POST, checked against the definition: unknown
 * names, repeats beyond `max` and values of the wrong type are a 400 naming the parameter.
 */
export class OperationInput {
  private constructor(
    private readonly code: string,
    private readonly params: ReadonlyMap<string, readonly ParametersParameter[]>,
  ) {}

  static read(definition: OperationDefinition & { code: string }, request: FhirRequest): OperationInput {
    const inputs = new Map((definition.parameter ?? []).filter((p) => p.use === 'in').map((p) => [p.name as string, p]));
    const params = new Map<string, ParametersParameter[]>();
    const add = (parameter: ParametersParameter): void => {
      const name = parameter.name as string;
      if (!inputs.has(name)) {
        throw badRequest(`Unknown parameter "${name}" for $${definition.code}`, name);
      }
      params.set(name, [...(params.get(name) ?? []), parameter]);
    };
    if (request.method === 'GET') {
      for (const [name, value] of request.query) {
        if (!name.startsWith('_')) {
          add(fromQuery(name, value, inputs.get(name)));
        }
      }
    } else if (request.body !== undefined) {
      const body = request.body as Parameters;
      if (body?.resourceType !== 'Parameters') {
        throw badRequest(`$${definition.code} takes a Parameters resource in a POST body`);
      }
      for (const parameter of partsOf(body)) {
        add(parameter);
      }
    }
    for (const [name, list] of params) {
      const max = inputs.get(name)?.max;
      if (max !== '*' && list.length > Number(max ?? '1')) {
        throw badRequest(`Parameter "${name}" may appear at most ${max ?? 1} time(s)`, name);
      }
    }
    return new OperationInput(definition.code, params);
  }

  has(name: string): boolean {
    return this.params.has(name);
  }

  /** Every parameter given, by name. */
  all(): ParametersParameter[] {
    return [...this.params.values()].flat();
  }

  string(name: string): string | undefined {
    return this.strings(name)[0];
  }

  strings(name: string): string[] {
    return (this.params.get(name) ?? []).map((p) => {
      const text = TEXT_VALUES.map((key) => p[key]).find((v) => typeof v === 'string');
      if (text === undefined || text.trim() === '') {
        throw badRequest(`Parameter "${name}" must be a non-empty text value`, name);
      }
      return text;
    });
  }

  integer(name: string): number | undefined {
    const p = this.params.get(name)?.[0];
    if (!p) {
      return undefined;
    }
    if (!Number.isSafeInteger(p.valueInteger)) {
      throw badRequest(`Parameter "${name}" must be an integer`, name);
    }
    return p.valueInteger;
  }

  boolean(name: string): boolean | undefined {
    const p = this.params.get(name)?.[0];
    if (!p) {
      return undefined;
    }
    if (typeof p.valueBoolean !== 'boolean') {
      throw badRequest(`Parameter "${name}" must be true or false`, name);
    }
    return p.valueBoolean;
  }

  coding(name: string): Coding | undefined {
    return this.complex(name, 'valueCoding', (v) => typeof (v as Coding).code === 'string');
  }

  codeableConcept(name: string): CodeableConcept | undefined {
    return this.complex(name, 'valueCodeableConcept', (v) => Array.isArray((v as CodeableConcept).coding));
  }

  meta(name: string): Meta | undefined {
    const p = this.params.get(name)?.[0];
    if (!p) {
      return undefined;
    }
    if (typeof p.valueMeta !== 'object' || p.valueMeta === null) {
      throw badRequest(`Parameter "${name}" of $${this.code} must be a Meta (valueMeta)`, name);
    }
    return p.valueMeta;
  }

  resource<T extends Resource>(name: string, resourceType: T['resourceType']): T | undefined {
    const p = this.params.get(name)?.[0];
    if (!p) {
      return undefined;
    }
    if (p.resource?.resourceType !== resourceType) {
      throw badRequest(`Parameter "${name}" must hold a ${resourceType} resource`, name);
    }
    return p.resource as T;
  }

  private complex<K extends 'valueCoding' | 'valueCodeableConcept'>(
    name: string,
    key: K,
    isValid: (value: unknown) => boolean,
  ): ParametersParameter[K] | undefined {
    const p = this.params.get(name)?.[0];
    if (!p) {
      return undefined;
    }
    const value = p[key];
    if (typeof value !== 'object' || value === null || !isValid(value)) {
      throw badRequest(`Parameter "${name}" of $${this.code} must be a ${key.slice(5)} with a code`, name);
    }
    return value;
  }
}

/**
 * An operation's inputs as a query string, for operations that read them like search
 * parameters: a GET's query, and for a POST also its Parameters body (names and repeats
 * checked against the definition as OperationInput does), each primitive value as its text
 * and a Reference as its `reference`. A POST's body is never silently ignored.
 */
export function inputQuery(definition: OperationDefinition & { code: string }, request: FhirRequest): URLSearchParams {
  if (request.method === 'GET' || request.body === undefined) {
    return request.query;
  }
  const query = new URLSearchParams(request.query);
  for (const parameter of OperationInput.read(definition, request).all()) {
    query.append(parameter.name as string, primitiveText(parameter));
  }
  return query;
}

function primitiveText(parameter: ParametersParameter): string {
  if (typeof parameter.valueReference?.reference === 'string') {
    return parameter.valueReference.reference;
  }
  for (const [key, value] of Object.entries(parameter)) {
    if (key.startsWith('value') && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) {
      return String(value);
    }
  }
  throw badRequest(`Parameter "${parameter.name}" must have a primitive or Reference value`, parameter.name);
}

/** A query-string value as the typed parameter the definition declares (only primitives can be in a URL). */
function fromQuery(name: string, value: string, definition: OperationDefinitionParameter | undefined): ParametersParameter {
  switch (definition?.type) {
    case 'integer': {
      if (!/^-?\d{1,15}$/.test(value)) {
        throw badRequest(`Parameter "${name}" must be an integer, not "${value}"`, name);
      }
      return { name, valueInteger: Number(value) };
    }
    case 'boolean':
      if (value !== 'true' && value !== 'false') {
        throw badRequest(`Parameter "${name}" must be true or false, not "${value}"`, name);
      }
      return { name, valueBoolean: value === 'true' };
    case 'string':
    case 'code':
    case 'uri':
    case 'canonical':
    case 'dateTime':
      return { name, valueString: value };
    default:
      throw badRequest(`Parameter "${name}" (${definition?.type}) cannot be given in a URL; POST a Parameters resource`, name);
  }
}

/** Builds an operation's output Parameters. */
export function outputParameters(parameter: ParametersParameter[]): Parameters {
  return { resourceType: 'Parameters', parameter };
}
