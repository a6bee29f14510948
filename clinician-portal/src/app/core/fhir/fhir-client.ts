import { HttpClient, HttpHeaders, HttpParams } from '@angular/common/http';
import { inject, Injectable } from '@angular/core';
import type { Bundle, ExtractResource, Parameters, Resource, ResourceType } from '@medplum/fhirtypes';
import type { Observable } from 'rxjs';
import { FHIR_ENDPOINT } from './fhir-endpoint';

/** Search parameters: a repeated parameter (`date=ge2026&date=lt2027`) is given as an array. */
export type SearchParams = Readonly<Record<string, string | number | boolean | readonly (string | number)[] | undefined>>;

/** One JSON Patch (RFC 6902) operation, as FHIR patch accepts it (http.html#patch). */
export interface JsonPatchOperation {
  readonly op: 'add' | 'remove' | 'replace' | 'copy' | 'move' | 'test';
  readonly path: string;
  readonly value?: unknown;
  readonly from?: string;
}

export interface WriteOptions {
  /**
   * Version the write is based on (`If-Match: W/"<versionId>"`, http.html#concurrency).
   * `update` defaults to the resource's `meta.versionId`, so a concurrent change is a 412.
   */
  readonly ifMatch?: string;
}

export interface OperationOptions {
  /** GET for operations without side effects called with simple parameters; POST otherwise. */
  readonly method?: 'GET' | 'POST';
  /** Query parameters (GET), or a `Parameters`/resource body (POST). */
  readonly params?: SearchParams;
  readonly body?: Parameters | Resource;
  /** The version the operation acts on (`If-Match`), e.g. the note being signed. */
  readonly ifMatch?: string;
}

const FHIR_JSON = 'application/fhir+json';

/**
 * The FHIR REST API (http://hl7.org/fhir/R4/http.html) over HttpClient, typed with
 * @medplum/fhirtypes. Failures surface as HttpErrorResponse whose `error` is the server's
 * OperationOutcome; turn them into text with `outcomeMessage`.
 */
@Injectable({ providedIn: 'root' })
export class FhirClient {
  private readonly http = inject(HttpClient);
  private readonly baseUrl = inject(FHIR_ENDPOINT).baseUrl;

  /** `GET [base]/[type]/[id]` */
  read<T extends ResourceType>(resourceType: T, id: string): Observable<ExtractResource<T>> {
    return this.http.get<ExtractResource<T>>(this.url(resourceType, id), { headers: this.headers() });
  }

  /** `GET [base]/[type]?params`: a searchset Bundle (search.html). */
  search<T extends ResourceType>(resourceType: T, params: SearchParams = {}): Observable<Bundle<ExtractResource<T>>> {
    return this.http.get<Bundle<ExtractResource<T>>>(this.url(resourceType), { params: toHttpParams(params), headers: this.headers() });
  }

  /** The page a Bundle link points to (`next`, `previous`, ...), as the server wrote it. */
  page<T extends Resource>(link: string): Observable<Bundle<T>> {
    return this.http.get<Bundle<T>>(link, { headers: this.headers() });
  }

  /** `POST [base]/[type]`: the created resource as stored (id, meta). */
  create<T extends Resource>(resource: T): Observable<T> {
    return this.http.post<T>(this.url(resource.resourceType), resource, {
      headers: this.headers({ 'Content-Type': FHIR_JSON, Prefer: 'return=representation' }),
    });
  }

  /** `PUT [base]/[type]/[id]`, guarded by the version read unless `ifMatch` says otherwise. */
  update<T extends Resource>(resource: T & { id: string }, options: WriteOptions = {}): Observable<T> {
    const version = options.ifMatch ?? resource.meta?.versionId;
    return this.http.put<T>(this.url(resource.resourceType, resource.id), resource, {
      headers: this.headers({ 'Content-Type': FHIR_JSON, Prefer: 'return=representation', ...ifMatch(version) }),
    });
  }

  /** `PATCH [base]/[type]/[id]` with a JSON Patch document. */
  patch<T extends ResourceType>(
    resourceType: T,
    id: string,
    operations: readonly JsonPatchOperation[],
    options: WriteOptions = {},
  ): Observable<ExtractResource<T>> {
    return this.http.patch<ExtractResource<T>>(this.url(resourceType, id), operations, {
      headers: this.headers({
        'Content-Type': 'application/json-patch+json',
        Prefer: 'return=representation',
        ...ifMatch(options.ifMatch),
      }),
    });
  }

  /** `DELETE [base]/[type]/[id]` (http.html#delete); deleting what is already gone also succeeds. */
  delete(resourceType: ResourceType, id: string, options: WriteOptions = {}): Observable<void> {
    return this.http.delete<void>(this.url(resourceType, id), { headers: this.headers(ifMatch(options.ifMatch)) });
  }

  /**
   * An operation (operations.html): `path` is what follows the base, e.g. `ValueSet/$expand`,
   * `Appointment/123/$cancel` or `$export`. POST unless `method: 'GET'`.
   */
  operation<R = Resource>(path: string, options: OperationOptions = {}): Observable<R> {
    const url = `${this.baseUrl}/${path.replace(/^\/+/, '')}`;
    const params = toHttpParams(options.params ?? {});
    if (options.method === 'GET') {
      return this.http.get<R>(url, { params, headers: this.headers() });
    }
    const body = options.body ?? { resourceType: 'Parameters' };
    return this.http.post<R>(url, body, { params, headers: this.headers({ 'Content-Type': FHIR_JSON, ...ifMatch(options.ifMatch) }) });
  }

  private url(resourceType: string, id?: string): string {
    return id === undefined ? `${this.baseUrl}/${resourceType}` : `${this.baseUrl}/${resourceType}/${encodeURIComponent(id)}`;
  }

  private headers(extra: Record<string, string> = {}): HttpHeaders {
    return new HttpHeaders({ Accept: FHIR_JSON, ...extra });
  }
}

function ifMatch(version: string | undefined): Record<string, string> {
  if (!version) {
    return {};
  }
  return { 'If-Match': version.startsWith('W/') ? version : `W/"${version}"` };
}

function toHttpParams(params: SearchParams): HttpParams {
  let result = new HttpParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined) {
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      result = result.append(name, String(item));
    }
  }
  return result;
}
