import type { CodeableConcept, DocumentReference } from '@medplum/fhirtypes';
import { CREDENTIAL_CATEGORY, DOCUMENT_CATEGORY_SYSTEM } from '../../auth/resource-policy';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { createResource } from '../interactions/create';
import { badRequest } from '../outcomes';
import { binaryResource, requireCredentialOwner, requireUploadPatient, writeOrDiscard, type StoredContent } from './binary-content';

/** The form fields of `DocumentReference/$upload`, besides the file. */
export interface DocumentFields {
  /** `Patient/<id>`; default the caller's own patient record. */
  readonly patient?: string;
  /**
   * `Practitioner/<id>`, the caller's own: the file is one of their credentials (licence,
   * diploma) for verification, not a patient's document. Excludes patient and encounter.
   */
  readonly practitioner?: string;
  readonly title?: string;
  /** Free text or a code, shown as the category (report, imaging, letter...). */
  readonly category?: string;
  /** LOINC document type code (e.g. 11502-2 laboratory report). */
  readonly type?: string;
  /** When the document was written (FHIR dateTime or instant); default now. */
  readonly date?: string;
  /** `Encounter/<id>` the document belongs to. */
  readonly encounter?: string;
  readonly description?: string;
  /** `DocumentReference/<id>` this one replaces (a renewed licence, a corrected report), which becomes superseded. */
  readonly replaces?: string;
}

const FIELD_NAMES = new Set(['patient', 'practitioner', 'title', 'category', 'type', 'date', 'encounter', 'description', 'replaces']);
const ENCOUNTER_REFERENCE = /^Encounter\/[A-Za-z0-9\-.]{1,64}$/;
const DOCUMENT_REFERENCE = /^DocumentReference\/[A-Za-z0-9\-.]{1,64}$/;

/** Refuses unknown and over-long fields before any byte of the file is stored. */
export function checkDocumentFields(fields: Record<string, unknown>): DocumentFields {
  for (const [name, value] of Object.entries(fields)) {
    if (!FIELD_NAMES.has(name)) {
      throw badRequest(`Unknown field "${name}"; expected ${[...FIELD_NAMES].join(', ')} and file`);
    }
    if (typeof value !== 'string' || value.length > 1000) {
      throw badRequest(`Field "${name}" must be one text value of at most 1000 characters`);
    }
  }
  const checked = fields as DocumentFields;
  if (checked.practitioner && (checked.patient || checked.encounter)) {
    throw badRequest('A credential document (practitioner) is about the practitioner: send no patient or encounter with it');
  }
  if (checked.encounter && !ENCOUNTER_REFERENCE.test(checked.encounter)) {
    throw badRequest(`"${checked.encounter}" is not a reference of the form Encounter/<id>`);
  }
  if (checked.replaces && !DOCUMENT_REFERENCE.test(checked.replaces)) {
    throw badRequest(`"${checked.replaces}" is not a reference of the form DocumentReference/<id>`);
  }
  if (checked.date && !/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/.test(checked.date)) {
    throw badRequest(`"${checked.date}" is not a FHIR date or dateTime`);
  }
  return checked;
}

/** The checked fields and whom the document is about: a patient, or (credentials) the practitioner uploading it. */
export type PreparedUpload = DocumentFields & { readonly subject: string };

/**
 * `POST DocumentReference/$upload` (multipart/form-data), step 1, before the file part is
 * read: the fields sent before it, and the subject: a patient whom the caller must be able to
 * see, or the caller's own Practitioner for a credential document.
 */
export async function prepareDocumentUpload(ctx: FhirContext, fieldsBeforeFile: Record<string, unknown>): Promise<PreparedUpload> {
  const fields = checkDocumentFields(fieldsBeforeFile);
  const subject = fields.practitioner ? requireCredentialOwner(ctx, fields.practitioner) : await requireUploadPatient(ctx, fields.patient);
  return { ...fields, subject };
}

/**
 * Step 2, once the file is stored: the Binary, and a DocumentReference describing it
 * (contentType, size, SHA-1 hash, title, category, date, patient, author, encounter), written
 * in one transaction; the stored bytes are removed if that fails.
 */
export async function writeDocument(
  ctx: FhirContext,
  stored: StoredContent & { fileName: string },
  prepared: PreparedUpload,
  allFields: Record<string, unknown>,
): Promise<FhirResponse> {
  return writeOrDiscard(ctx, stored, async () => {
    const fields = checkDocumentFields(allFields);
    if (
      (fields.patient ?? prepared.patient) !== prepared.patient ||
      (fields.practitioner ?? prepared.practitioner) !== prepared.practitioner
    ) {
      throw badRequest('Send the patient (or practitioner) field before the file');
    }
    return ctx.repo.transaction(async (repo) => {
      const tx = { ...ctx, repo };
      await createResource(tx, 'Binary', binaryResource(stored.inspection, prepared.subject), { assignedId: stored.binaryId });
      const document = documentReference(ctx, stored, prepared.subject, { ...fields, practitioner: prepared.practitioner });
      return createResource(tx, 'DocumentReference', document);
    });
  });
}

function documentReference(
  ctx: FhirContext,
  { binaryId, inspection, fileName }: StoredContent & { fileName: string },
  subject: string,
  fields: DocumentFields,
): DocumentReference {
  const principal = ctx.access.principal;
  const author = principal.kind === 'user' && principal.profile ? [{ reference: principal.profile }] : undefined;
  const now = new Date().toISOString();
  const document: DocumentReference = {
    resourceType: 'DocumentReference',
    status: 'current',
    type: fields.type ? { coding: [{ system: 'http://loinc.org', code: fields.type }] } : undefined,
    category: categoryOf(fields),
    subject: { reference: subject },
    date: fields.date ? toInstant(fields.date) : now,
    author,
    description: fields.description,
    content: [
      {
        attachment: {
          contentType: inspection.contentType,
          url: `Binary/${binaryId}`,
          size: inspection.size,
          hash: inspection.sha1,
          title: fields.title || fileName,
          creation: now,
        },
      },
    ],
    context: fields.encounter ? { encounter: [{ reference: fields.encounter }] } : undefined,
    relatesTo: fields.replaces ? [{ code: 'replaces', target: { reference: fields.replaces } }] : undefined,
  };
  // Leaves out the fields not given (undefined is not JSON).
  return JSON.parse(JSON.stringify(document)) as DocumentReference;
}

/** The category as given (free text); a credential document also carries the coded credential category. */
function categoryOf(fields: DocumentFields): CodeableConcept[] | undefined {
  if (fields.practitioner) {
    const coding = [{ system: DOCUMENT_CATEGORY_SYSTEM, code: CREDENTIAL_CATEGORY, display: 'Practitioner credential' }];
    return [{ coding, text: fields.category || 'Practitioner credential' }];
  }
  return fields.category ? [{ text: fields.category }] : undefined;
}

/** DocumentReference.date is an instant: a date alone means its start, in UTC. */
function toInstant(value: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return `${value}T00:00:00Z`;
  }
  if (!/T\d{2}:\d{2}:\d{2}/.test(value)) {
    throw badRequest(`"${value}" needs seconds and a time zone, or no time at all`);
  }
  return value;
}
