import type { AccessContext } from '../../auth/access-context';
import { inPatientCompartment } from '../../auth/access-context';
import { matchingScopes } from '../../auth/scopes';
import { allResourceTypes, isResourceType } from '../../definitions';
import type { FhirContext } from '../fhir-request';
import { badRequest, forbidden } from '../outcomes';
import { parseSearchRequest } from '../search/parse';
import { expandValueSetModifiers } from '../search/value-set-modifiers';

export type ExportLevel = 'system' | 'patient' | 'group';

/** A validated $export kick-off (https://hl7.org/fhir/uv/bulkdata/export.html#query-parameters). */
export interface ExportRequest {
  readonly level: ExportLevel;
  readonly groupId?: string;
  readonly types: readonly string[];
  /** ISO instant: only resources changed after it. */
  readonly since?: string;
  /** Search queries per type (`_typeFilter=Type?query`); a resource matching any is exported. */
  readonly typeFilters: Readonly<Record<string, readonly string[]>>;
  /** `patient`: at patient and group level, only these patients' compartments (`Patient/<id>`). */
  readonly patients?: readonly string[];
  /** `_elements` per exported type: the elements its resources keep (with the mandatory ones). */
  readonly elements?: Readonly<Record<string, readonly string[]>>;
  /** The kick-off URL, echoed in the manifest. */
  readonly requestUrl: string;
}

const NDJSON_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const UNSUPPORTED = ['includeAssociatedData'];

/**
 * Checks the kick-off parameters (the query, or a POST's Parameters body: inputQuery) against
 * what the server supports and the caller may read: an unsupported `_outputFormat`, a malformed
 * `_since`, an unknown `_type` or one the caller may not read are 4xx. Without `_type`: every
 * type the caller may read (at patient and group level, those in the Patient compartment).
 */
export function parseExportRequest(
  access: AccessContext,
  params: URLSearchParams,
  level: ExportLevel,
  baseUrl: string,
  groupId?: string,
): ExportRequest {
  const format = params.get('_outputFormat');
  if (format !== null && !NDJSON_FORMATS.has(format)) {
    throw badRequest(`_outputFormat ${format} is not supported; use application/fhir+ndjson`);
  }
  for (const name of UNSUPPORTED) {
    if (params.has(name)) {
      throw badRequest(`${name} is not supported by this server's $export`);
    }
  }
  const since = params.get('_since') ?? undefined;
  if (since !== undefined && (!INSTANT.test(since) || Number.isNaN(Date.parse(since)))) {
    throw badRequest(`_since "${since}" is not a FHIR instant (e.g. 2026-01-01T00:00:00Z)`);
  }
  const listed = params
    .getAll('_type')
    .flatMap((v) => v.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  const unknown = listed.filter((t) => !isResourceType(t));
  if (unknown.length > 0) {
    throw badRequest(`_type lists unknown resource types: ${unknown.join(', ')}`);
  }
  const readable = (type: string) => access.readGrants(type).length > 0;
  const denied = listed.filter((t) => !readable(t));
  if (denied.length > 0) {
    throw forbidden(`The access token does not permit reading ${denied.join(', ')}`);
  }
  const inScope = (type: string) => level === 'system' || inPatientCompartment(type);
  const outOfScope = listed.filter((t) => !inScope(t));
  if (outOfScope.length > 0) {
    throw badRequest(`${outOfScope.join(', ')} are not in the Patient compartment, which a ${level}-level export covers`);
  }
  // Unnamed, the public directory and terminology (readable by anyone) come only with a scope that names them.
  const scoped = (type: string) => access.principal.kind !== 'anonymous' && matchingScopes(access.principal.scopes, type, 'r').length > 0;
  const types = listed.length > 0 ? [...new Set(listed)] : allResourceTypes().filter((t) => inScope(t) && readable(t) && scoped(t));
  if (types.length === 0) {
    throw forbidden('The access token permits reading none of the resource types to export');
  }
  const typeFilters: Record<string, string[]> = {};
  for (const filter of params.getAll('_typeFilter').flatMap((v) => v.split(','))) {
    const match = /^([A-Za-z]+)\?(.+)$/.exec(filter.trim());
    if (!match || !types.includes(match[1])) {
      throw badRequest(`_typeFilter "${filter}" must be <Type>?<search query> for an exported type`);
    }
    (typeFilters[match[1]] ??= []).push(match[2]);
  }
  const elements = parseElements(params, types);
  const patients = parsePatients(params, level, baseUrl);
  const query = params.toString();
  const path = level === 'system' ? '$export' : level === 'patient' ? 'Patient/$export' : `Group/${groupId}/$export`;
  return { level, groupId, types, since, typeFilters, elements, patients, requestUrl: `${baseUrl}/${path}${query ? `?${query}` : ''}` };
}

/**
 * The `_typeFilter` queries as the export job runs them: `:in` and `:not-in` expanded to the
 * value set's codes now (the job has no terminology to read), and each parsed as a strict search,
 * so a query the job could not run is a 400 at kick-off rather than a failed export.
 */
export async function resolveTypeFilters(ctx: FhirContext, request: ExportRequest): Promise<ExportRequest> {
  const typeFilters: Record<string, string[]> = {};
  for (const [type, queries] of Object.entries(request.typeFilters)) {
    typeFilters[type] = [];
    for (const query of queries) {
      const expanded = await expandValueSetModifiers(ctx, new URLSearchParams(query), [type]);
      parseSearchRequest([type], expanded, { strict: true, catalog: ctx.repo.searchParameters, baseUrl: ctx.baseUrl });
      typeFilters[type].push(expanded.toString());
    }
  }
  return { ...request, typeFilters };
}

/** `patient` references (relative, or absolute on this server), at patient and group level only. */
function parsePatients(params: URLSearchParams, level: ExportLevel, baseUrl: string): string[] | undefined {
  const listed = params.getAll('patient');
  if (listed.length === 0) {
    return undefined;
  }
  if (level === 'system') {
    throw badRequest('patient applies to Patient/$export and Group/{id}/$export, not to a system-level export');
  }
  return [
    ...new Set(
      listed.map((reference) => {
        const relative = reference.startsWith(`${baseUrl}/`) ? reference.slice(baseUrl.length + 1) : reference;
        if (!/^Patient\/[A-Za-z0-9\-.]{1,64}$/.test(relative)) {
          throw badRequest(`patient "${reference}" must be a reference to a Patient of this server`);
        }
        return relative;
      }),
    ),
  ];
}

/**
 * `_elements=name,Type.name`: a bare name applies to every exported type, `Type.name` to that
 * type only (export.html#query-parameters). Undefined without the parameter.
 */
function parseElements(params: URLSearchParams, types: readonly string[]): Record<string, string[]> | undefined {
  const listed = params
    .getAll('_elements')
    .flatMap((v) => v.split(','))
    .map((e) => e.trim())
    .filter(Boolean);
  if (listed.length === 0) {
    return undefined;
  }
  const elements: Record<string, string[]> = {};
  for (const item of listed) {
    const match = /^(?:([A-Z][A-Za-z]*)\.)?([a-z][A-Za-z0-9]*)$/.exec(item);
    if (!match || (match[1] !== undefined && !types.includes(match[1]))) {
      throw badRequest(`_elements "${item}" must be an element name or <Type>.<element> of an exported type`);
    }
    for (const type of match[1] ? [match[1]] : types) {
      (elements[type] ??= []).push(match[2]);
    }
  }
  return elements;
}
