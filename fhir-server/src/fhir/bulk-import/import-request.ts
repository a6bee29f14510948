import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { AccessContext } from '../../auth/access-context';
import { isResourceType } from '../../definitions';
import { partsOf } from '../operations/parameters';
import { badRequest, forbidden } from '../outcomes';

/** One NDJSON file to import: fetched from `url`, or uploaded with the kick-off and kept under `blobKey`. */
export interface ImportInput {
  /** The resource type every line must have; any type when absent. */
  readonly type?: string;
  readonly url: string;
  readonly blobKey?: string;
}

/** A validated $import kick-off. */
export interface ImportRequest {
  readonly inputs: readonly ImportInput[];
  /** The kick-off URL, echoed in the status manifest. */
  readonly requestUrl: string;
}

const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
/** Inputs one kick-off may name. */
export const MAX_IMPORT_INPUTS = 100;

/**
 * Reads the inputs of a `$import` kick-off: a Parameters resource (`inputFormat`, repeated
 * `input` with parts `type` and `url`, as HAPI and the Bulk Data import proposal spell them)
 * or the proposal's plain JSON (`{ inputFormat, input: [{ type, url }] }`). Each URL must pass
 * `urlProblem` (http(s), a host the server may reach); a `type` the caller may not write is 403.
 */
export function parseImportRequest(
  access: AccessContext,
  body: unknown,
  requestUrl: string,
  urlProblem: (url: string) => string | undefined,
): ImportRequest {
  const { format, inputs } = readBody(body);
  if (format !== undefined && !NDJSON_FORMATS.has(format)) {
    throw badRequest(`inputFormat ${format} is not supported; use application/fhir+ndjson`);
  }
  if (inputs.length === 0) {
    throw badRequest('$import needs at least one input with a url');
  }
  if (inputs.length > MAX_IMPORT_INPUTS) {
    throw badRequest(`$import takes at most ${MAX_IMPORT_INPUTS} inputs`);
  }
  for (const [index, input] of inputs.entries()) {
    if (input.type !== undefined && !isResourceType(input.type)) {
      throw badRequest(`input ${index + 1}: type "${input.type}" is not a resource type`);
    }
    if (!input.url) {
      throw badRequest(`input ${index + 1} has no url`);
    }
    const problem = urlProblem(input.url);
    if (problem) {
      throw badRequest(`input ${index + 1}: ${problem}`);
    }
  }
  checkWritable(access, inputs);
  return { inputs, requestUrl };
}

/** 403 for a named type the caller may neither create nor update. */
export function checkWritable(access: AccessContext, inputs: readonly ImportInput[]): void {
  const denied = [...new Set(inputs.map((i) => i.type).filter((t): t is string => t !== undefined))].filter(
    (type) => access.writeGrants(type, 'u').length === 0 && access.writeGrants(type, 'c').length === 0,
  );
  if (denied.length > 0) {
    throw forbidden(`The access token does not permit writing ${denied.join(', ')}`);
  }
}

function readBody(body: unknown): { format?: string; inputs: ImportInput[] } {
  if (!body || typeof body !== 'object') {
    throw badRequest('$import needs a Parameters body naming its inputs');
  }
  if ((body as { resourceType?: unknown }).resourceType === 'Parameters') {
    const parameters = partsOf(body as Parameters);
    const format = parameters.find((p) => p.name === 'inputFormat');
    return {
      format: format && textOf(format),
      inputs: parameters.filter((p) => p.name === 'input').map((p) => ({ type: part(p, 'type'), url: part(p, 'url') ?? '' })),
    };
  }
  const plain = body as { inputFormat?: unknown; input?: unknown };
  if (!Array.isArray(plain.input)) {
    throw badRequest('$import needs a Parameters body (or { "input": [{ "type", "url" }] })');
  }
  return {
    format: typeof plain.inputFormat === 'string' ? plain.inputFormat : undefined,
    inputs: plain.input.map((i: { type?: unknown; url?: unknown }) => ({
      type: typeof i?.type === 'string' ? i.type : undefined,
      url: typeof i?.url === 'string' ? i.url : '',
    })),
  };
}

function part(parameter: ParametersParameter, name: string): string | undefined {
  const found = parameter.part?.find((p) => p.name === name);
  return found && textOf(found);
}

function textOf(p: ParametersParameter): string | undefined {
  return p.valueCode ?? p.valueUri ?? p.valueUrl ?? p.valueString;
}
