import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { isResourceType } from '../../definitions';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { criteriaLockKey, findConditionalMatches } from '../interactions/conditional-match';
import { createResource } from '../interactions/create';
import { storedResponse } from '../interactions/stored-resource';
import { badRequest, multipleMatches, OutcomeError, preconditionFailed } from '../outcomes';
import { entryToRequest } from './entry-request';
import { responseEntry } from './entry-response';
import { collectReferences, rewriteReferences } from './reference-rewrite';
import { entryList } from './entry-list';

export type Dispatch = (ctx: FhirContext, request: FhirRequest) => Promise<FhirResponse>;

/** http://hl7.org/fhir/R4/http.html#trules: DELETE, then POST, then PUT/PATCH, then GET. */
const PROCESSING_ORDER: Record<string, number> = { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3 };

/**
 * A transaction Bundle (http://hl7.org/fhir/R4/http.html#transaction): every entry in one
 * database transaction, all or nothing. POSTed resources get their ids first, so urn:uuid
 * references between entries resolve whatever their order; conditional references
 * (`Patient?identifier=...`) resolve to their single match.
 */
export async function processTransaction(
  ctx: FhirContext,
  bundle: Bundle,
  dispatch: Dispatch,
  preferReturn: 'minimal' | 'representation' | 'OperationOutcome' | undefined,
): Promise<FhirResponse> {
  const entries = bundle.entry ?? [];
  const requests = entries.map((entry, index) => entryToRequest(entry, index, ctx.baseUrl));
  rejectDuplicateTargets(requests);
  const responses = await ctx.repo.transaction(async (repo) => {
    const txCtx = { ...ctx, repo };
    const created = await assignIds(txCtx, entries, requests);
    const resolve = await referenceResolver(txCtx, entries, created.references);
    const results: FhirResponse[] = new Array(entries.length);
    const order = entries
      .map((_, i) => i)
      .sort((a, b) => PROCESSING_ORDER[requests[a].method] - PROCESSING_ORDER[requests[b].method] || a - b);
    for (const index of order) {
      const request = { ...requests[index], body: rewriteReferences(requests[index].body, resolve) };
      results[index] = await atEntry(index, () => {
        if (request.method !== 'POST') {
          return dispatch(txCtx, request);
        }
        const existing = created.existing.get(index);
        return existing
          ? Promise.resolve(existing)
          : createResource(txCtx, request.path, request.body, { assignedId: created.ids.get(index) });
      });
    }
    return results;
  });
  return {
    status: 200,
    resource: {
      resourceType: 'Bundle',
      type: 'transaction-response',
      ...entryList(responses.map((response) => responseEntry(response, preferReturn, ctx.baseUrl))),
    },
  };
}

interface AssignedIds {
  /** New ids of POST entries, by entry index. */
  readonly ids: Map<number, string>;
  /** POST entries whose If-None-Exist matched: the existing resource answers them. */
  readonly existing: Map<number, FhirResponse>;
  /** fullUrl (urn:uuid or absolute) -> `Type/id` reference to the stored resource. */
  readonly references: Map<string, string>;
}

async function assignIds(ctx: FhirContext, entries: BundleEntry[], requests: FhirRequest[]): Promise<AssignedIds> {
  const assigned: AssignedIds = { ids: new Map(), existing: new Map(), references: new Map() };
  for (const [index, request] of requests.entries()) {
    const fullUrl = entries[index].fullUrl;
    if (request.method === 'PUT' && fullUrl && /^[A-Za-z]+\/[^/?]+$/.test(request.path)) {
      assigned.references.set(fullUrl, request.path);
    }
    if (request.method !== 'POST') {
      continue;
    }
    const type = request.path;
    if (!isResourceType(type)) {
      throw badRequest(`POST entries must target a resource type, got "${type}"`, `Bundle.entry[${index}].request.url`);
    }
    let id: string = randomUUID();
    const criteria = request.headers.ifNoneExist;
    if (criteria) {
      const matches = await atEntry(index, async () => {
        await ctx.repo.lock(criteriaLockKey(type, criteria));
        return findConditionalMatches(ctx, type, criteria);
      });
      if (matches.length > 1) {
        throw atEntryError(index, multipleMatches(`If-None-Exist criteria "${criteria}" match more than one ${type}`));
      }
      if (matches.length === 1) {
        id = matches[0].id;
        assigned.existing.set(index, storedResponse(matches[0], 200));
      }
    }
    if (!assigned.existing.has(index)) {
      assigned.ids.set(index, id);
    }
    if (fullUrl) {
      assigned.references.set(fullUrl, `${type}/${id}`);
    }
  }
  return assigned;
}

/** Maps each reference of the Bundle to its stored target: fullUrls, then conditional references. */
async function referenceResolver(
  ctx: FhirContext,
  entries: BundleEntry[],
  references: Map<string, string>,
): Promise<(reference: string) => string | undefined> {
  const resolved = new Map(references);
  const all = new Set<string>();
  entries.forEach((entry) => collectReferences(entry.resource, all));
  for (const reference of all) {
    const conditional = /^([A-Za-z]+)\?(.+)$/.exec(reference);
    if (!conditional || resolved.has(reference) || !isResourceType(conditional[1])) {
      continue;
    }
    const matches = await findConditionalMatches(ctx, conditional[1], conditional[2]);
    if (matches.length !== 1) {
      throw preconditionFailed(`Conditional reference "${reference}" matches ${matches.length} resources; it must match one`);
    }
    resolved.set(reference, `${conditional[1]}/${matches[0].id}`);
  }
  for (const reference of all) {
    if (reference.startsWith('urn:uuid:') && !resolved.has(reference)) {
      throw badRequest(`Reference ${reference} does not match the fullUrl of any entry in the transaction`);
    }
  }
  return (reference) => resolved.get(reference);
}

/** http://hl7.org/fhir/R4/http.html#trules: no two entries may write the same resource. */
function rejectDuplicateTargets(requests: FhirRequest[]): void {
  const seen = new Map<string, number>();
  requests.forEach((request, index) => {
    if (request.method === 'GET' || request.method === 'POST' || !request.path.includes('/')) {
      return;
    }
    const previous = seen.get(request.path);
    if (previous !== undefined) {
      throw badRequest(`Entries ${previous} and ${index} both change ${request.path}`, `Bundle.entry[${index}].request.url`);
    }
    seen.set(request.path, index);
  });
}

/** Runs one entry's work, tagging any failure with the entry's position. */
async function atEntry<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw error instanceof OutcomeError ? atEntryError(index, error) : error;
  }
}

function atEntryError(index: number, error: OutcomeError): OutcomeError {
  const issue = (error.outcome.issue ?? []).map((i) => ({
    ...i,
    diagnostics: `Bundle.entry[${index}]: ${i.diagnostics ?? i.details?.text ?? ''}`,
    expression: i.expression?.map((e) => `Bundle.entry[${index}].resource.${e.replace(/^[A-Z][A-Za-z]+\.?/, '')}`.replace(/\.$/, '')) ?? [
      `Bundle.entry[${index}]`,
    ],
  }));
  return new OutcomeError({ ...error.outcome, issue }, error.status);
}
