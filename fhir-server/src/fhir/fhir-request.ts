import type { BindingTokens } from '../domain/subscriptions/binding-tokens';
import type { Resource } from '@medplum/fhirtypes';
import type { AccessContext } from '../auth/access-context';
import type { SchedulingSettings } from '../domain/scheduling/scheduling-settings';
import type { PrescriptionDocuments } from '../domain/prescriptions/prescription-view';
import type { OAuthUris } from '../auth/smart-configuration';
import type { ConsultationServices } from '../domain/consultations/consultation-services';
import type { DocumentStorage } from '../domain/documents/document-storage';
import type { BulkExporter } from './bulk-export/bulk-exporter';
import type { BulkImporter } from './bulk-import/bulk-importer';
import type { FhirRepository } from '../storage/fhir-repository';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A FHIR REST request, independent of the HTTP framework that carried it. */
export interface FhirRequest {
  readonly method: HttpMethod;
  /** Path below the FHIR base, without leading slash: `Patient/123/_history/2`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Parsed JSON body (already checked for size, depth and prototype keys). */
  readonly body?: unknown;
  /** Content-Type without parameters, lower-case. */
  readonly contentType?: string;
  readonly headers: FhirRequestHeaders;
}

export interface FhirRequestHeaders {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifNoneExist?: string;
  readonly ifModifiedSince?: string;
  /** `return` preference: minimal | representation | OperationOutcome. */
  readonly preferReturn?: 'minimal' | 'representation' | 'OperationOutcome';
  /** `handling` preference: strict | lenient. */
  readonly preferHandling?: 'strict' | 'lenient';
}

/** The result of an interaction or operation, before it is written to the wire. */
export interface FhirResponse {
  readonly status: number;
  /** The resource to return, if any. */
  readonly resource?: Resource;
  /** Pre-serialised resource JSON (served straight from storage on reads). */
  readonly resourceText?: string;
  readonly location?: string;
  /** Version of the resource the response is about, for ETag. */
  readonly versionId?: number;
  /** ISO instant, for Last-Modified. */
  readonly lastUpdated?: string;
}

/** What every handler needs besides the request: storage, the caller's access and the public base URL. */
/** The Subscription channels beyond rest-hook: what `$get-ws-binding-token` and the CapabilityStatement tell clients. */
export interface SubscriptionChannels {
  readonly tokens: BindingTokens;
  /** `wss://host/subscriptions/ws` */
  readonly websocketUrl: string;
  /** The VAPID public key browsers subscribe with (`applicationServerKey`); absent: no Web Push. */
  readonly vapidPublicKey?: string;
}

export interface FhirContext {
  /** Storage bound to `access`: reads are filtered and writes checked for this caller. */
  readonly repo: FhirRepository;
  /** Who is calling and what they may do (SMART scopes, compartments, care relationship). */
  readonly access: AccessContext;
  /** Absolute base URL of the FHIR endpoint, without trailing slash. */
  readonly baseUrl: string;
  /** The SMART OAuth2 endpoints, advertised in the CapabilityStatement. */
  readonly oauth?: OAuthUris;
  /** Scheduling policy (horizon, cancel window, hold length); defaults when absent. */
  readonly scheduling?: SchedulingSettings;
  /** Waiting room and video settings and provider (the consultation operations). */
  readonly consultations?: ConsultationServices;
  /** The bytes behind Binary resources (uploads, downloads, signed URLs). */
  readonly documents?: DocumentStorage;
  /** Renders and signs prescription PDFs (`MedicationRequest/$pdf`); absent, the operation is unavailable. */
  readonly prescriptionDocuments?: PrescriptionDocuments;
  /** Runs Bulk Data $export jobs. */
  readonly bulkExport?: BulkExporter;
  /** The Subscription WebSocket and Web Push (`$get-ws-binding-token`, the CapabilityStatement). */
  readonly subscriptionChannels?: SubscriptionChannels;
  /** Runs Bulk Data $import jobs. */
  readonly bulkImport?: BulkImporter;
}
