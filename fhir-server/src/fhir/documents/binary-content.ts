import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Binary } from '@medplum/fhirtypes';
import type { DocumentStorage } from '../../domain/documents/document-storage';
import type { Inspection } from '../../domain/documents/upload-inspector';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { createResource } from '../interactions/create';
import { parseStored, requireLive } from '../interactions/stored-resource';
import { badRequest, forbidden, notFound, notSupported, unauthorized } from '../outcomes';

/** Bytes arriving for a new Binary: the request body or one part of a multipart form. */
export interface IncomingContent {
  readonly body: Readable;
  /** The media type the client declared (checked against the bytes). */
  readonly contentType?: string;
  /** Content-Length, when the client sent one (refused early when over the limit). */
  readonly declaredLength?: number;
}

/** A stored Binary's bytes, ready to stream. */
export interface BinaryContent {
  readonly binary: Binary & { id: string };
  readonly size: number;
}

const PATIENT_REFERENCE = /^Patient\/[A-Za-z0-9\-.]{1,64}$/;
const PRACTITIONER_REFERENCE = /^Practitioner\/[A-Za-z0-9\-.]{1,64}$/;

export function requireDocuments(ctx: FhirContext): DocumentStorage {
  if (!ctx.documents) {
    throw notSupported('This server stores no documents');
  }
  return ctx.documents;
}

/**
 * Whom a new Binary belongs to: `X-Security-Context` (http://hl7.org/fhir/R4/binary.html#rest),
 * else the patient the caller is or acts for. Checked before any byte is stored: the caller
 * must see that patient (their own, or one in their care), or be the practitioner named (their
 * own credential documents), or the upload is refused.
 */
export async function requireUploadOwner(ctx: FhirContext, given: string | undefined): Promise<string> {
  const owner = given?.trim();
  if (owner && PRACTITIONER_REFERENCE.test(owner)) {
    return requireCredentialOwner(ctx, owner);
  }
  return requireUploadPatient(ctx, owner);
}

/**
 * The patient a new document belongs to: the one named, else the patient the caller is or acts
 * for; the caller must see that patient, or the upload is refused before any byte is stored.
 */
export async function requireUploadPatient(ctx: FhirContext, given: string | undefined): Promise<string> {
  const principal = requireUploader(ctx);
  const own = principal.kind === 'user' ? (principal.patient ? `Patient/${principal.patient}` : principal.profile) : undefined;
  const patient = given?.trim() || (own?.startsWith('Patient/') ? own : undefined);
  if (!patient) {
    throw badRequest('Name the patient the document belongs to (X-Security-Context or patient: Patient/<id>)');
  }
  if (!PATIENT_REFERENCE.test(patient)) {
    throw badRequest(`"${patient}" is not a reference of the form Patient/<id> (or Practitioner/<id> for your own credentials)`);
  }
  const stored = await ctx.repo.readCurrent('Patient', patient.slice('Patient/'.length));
  if (!stored || stored.deleted) {
    throw notFound(`${patient} not found`);
  }
  return patient;
}

/** A practitioner's credential document (licence, diploma): only that practitioner uploads it. */
export function requireCredentialOwner(ctx: FhirContext, practitioner: string): string {
  const principal = requireUploader(ctx);
  if (!PRACTITIONER_REFERENCE.test(practitioner)) {
    throw badRequest(`"${practitioner}" is not a reference of the form Practitioner/<id>`);
  }
  if (principal.kind !== 'user' || principal.profile !== practitioner) {
    throw forbidden('Practitioners upload their own credential documents only');
  }
  return practitioner;
}

function requireUploader(ctx: FhirContext): FhirContext['access']['principal'] {
  const principal = ctx.access.principal;
  if (principal.kind === 'anonymous') {
    throw unauthorized('Uploading a document needs an access token');
  }
  if (!ctx.access.permits('Binary', 'c')) {
    throw forbidden('The access token does not permit create on Binary');
  }
  return principal;
}

/** Bytes stored for a Binary that is not written yet. */
export interface StoredContent {
  readonly binaryId: string;
  readonly inspection: Inspection;
}

/** Streams the bytes to the document storage under a new Binary id (nothing is left if it fails). */
export async function storeContent(ctx: FhirContext, content: IncomingContent): Promise<StoredContent> {
  const binaryId = randomUUID();
  const inspection = await requireDocuments(ctx).store(binaryId, content.body, content.contentType, content.declaredLength);
  return { binaryId, inspection };
}

/**
 * Runs `write` (which stores the resources pointing at stored bytes); if it fails, the bytes
 * are removed, so no object is left that no resource points at, and no resource points at
 * missing bytes.
 */
export async function writeOrDiscard<T>(ctx: FhirContext, stored: StoredContent, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    await requireDocuments(ctx).discard(stored.binaryId);
    throw error;
  }
}

/** `POST [base]/Binary` with the raw bytes as body (http://hl7.org/fhir/R4/binary.html#rest). */
export async function createBinary(ctx: FhirContext, content: IncomingContent, securityContext: string | undefined): Promise<FhirResponse> {
  const owner = await requireUploadOwner(ctx, securityContext);
  const stored = await storeContent(ctx, content);
  return writeOrDiscard(ctx, stored, () =>
    createResource(ctx, 'Binary', binaryResource(stored.inspection, owner), { assignedId: stored.binaryId }),
  );
}

/** A Binary for stored bytes; `owner` is the patient (or, for credentials, the practitioner) it belongs to. */
export function binaryResource(inspection: Inspection, owner: string): Binary {
  return { resourceType: 'Binary', contentType: inspection.contentType, securityContext: { reference: owner } };
}

/** The Binary (if the caller may read it: 404 otherwise, 410 once deleted) and the size of its bytes. */
export async function openBinary(ctx: FhirContext, id: string): Promise<BinaryContent> {
  const documents = requireDocuments(ctx);
  const binary = parseStored(requireLive(await ctx.repo.readCurrent('Binary', id), 'Binary', id)) as Binary & { id: string };
  const info = await documents.stat(id);
  if (!info) {
    throw notFound(`The content of Binary/${id} is not available`);
  }
  return { binary, size: info.size };
}
