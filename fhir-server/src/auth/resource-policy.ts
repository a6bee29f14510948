import type { Binary, DocumentReference, Practitioner, Resource } from '@medplum/fhirtypes';

/**
 * Which resource types are public directory data, which are for administrators only, and
 * what makes a directory entry public. Pure rules; storage/access-filter.ts mirrors them in SQL.
 */

/** Directory of care providers: readable by anyone (when public), including anonymous callers. */
export const DIRECTORY_TYPES: ReadonlySet<string> = new Set([
  'Practitioner',
  'PractitionerRole',
  'Schedule',
  'Slot',
  'Organization',
  'Location',
  'HealthcareService',
]);

/** Terminology: public to read, written by administrators. */
export const TERMINOLOGY_TYPES: ReadonlySet<string> = new Set(['CodeSystem', 'ValueSet', 'ConceptMap', 'NamingSystem']);

/**
 * Shared clinical reference data without patient content: clinicians read it. Anything else
 * outside the Patient compartment (Binary, Bundle, ...) may carry patient data without
 * a compartment link, so it stays with system clients until a rule for it exists.
 */
export const REFERENCE_DATA_TYPES: ReadonlySet<string> = new Set([
  'Medication',
  'MedicationKnowledge',
  'Substance',
  'Questionnaire',
  'PlanDefinition',
  'ActivityDefinition',
  'ObservationDefinition',
  'SpecimenDefinition',
  'Library',
  'StructureDefinition',
  'SearchParameter',
  'OperationDefinition',
  'CompartmentDefinition',
  'ImplementationGuide',
]);

/** Readable only by administrators and system clients, and never written by users through the API. */
export const ADMIN_ONLY_TYPES: ReadonlySet<string> = new Set(['AuditEvent']);

/** Types that no user or client may update, patch or delete through the API (the audit trail). */
export const IMMUTABLE_TYPES: ReadonlySet<string> = new Set(['AuditEvent']);

/** Patient-compartment types a doctor reaches only where they take part (their own schedule's appointments). */
export const OWN_SCHEDULE_TYPES: ReadonlySet<string> = new Set(['Appointment']);

/** Types whose instances carry Appointment/Encounter participation, the basis of a care relationship. */
export const CARE_RELATIONSHIP_TYPES: readonly string[] = ['Appointment', 'Encounter'];

/**
 * A doctor has a care relationship with a patient while they share an Appointment or Encounter
 * that was not called off: cancelled or entered-in-error ones give no access to the record.
 */
export function establishesCare(status: string | undefined): boolean {
  return status !== 'cancelled' && status !== 'entered-in-error';
}

export function isPublicType(resourceType: string): boolean {
  return DIRECTORY_TYPES.has(resourceType) || TERMINOLOGY_TYPES.has(resourceType);
}

/**
 * A doctor is verified, and so listed in the public directory, when an administrator has
 * made their Practitioner active (`$verify`, after checking the qualifications and the
 * credential documents the doctor uploaded); `active = true` is the whole rule here.
 */
export function isVerifiedPractitioner(practitioner: Pick<Practitioner, 'active'>): boolean {
  return practitioner.active === true;
}

/** A Slot is public when it is free and its Schedule belongs to a verified practitioner. */
export const PUBLIC_SLOT_STATUS = 'free';

/** MedBuddy's document categories (terminology/CodeSystem-document-category.json). */
export const DOCUMENT_CATEGORY_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/document-category';
/** The category of a practitioner's own credential documents (licence, diplomas) checked at verification. */
export const CREDENTIAL_CATEGORY = 'practitioner-credential';

/**
 * Types that hold a practitioner's credential documents: a DocumentReference about the
 * practitioner (subject) in the credential category, and the Binary its content points at
 * (securityContext the practitioner). Their owner writes and reads them, administrators read
 * them to verify the doctor; no patient and no other doctor sees them.
 */
export const CREDENTIAL_DOCUMENT_TYPES: ReadonlySet<string> = new Set(['DocumentReference', 'Binary']);

/** `Practitioner/<id>` whose credential document this is, or undefined for any other resource. */
export function credentialOwner(resource: Resource): string | undefined {
  if (resource.resourceType === 'DocumentReference') {
    const document = resource as DocumentReference;
    const credential = document.category?.some((c) =>
      c.coding?.some((coding) => coding.system === DOCUMENT_CATEGORY_SYSTEM && coding.code === CREDENTIAL_CATEGORY),
    );
    return credential ? practitionerReference(document.subject?.reference) : undefined;
  }
  if (resource.resourceType === 'Binary') {
    return practitionerReference((resource as Binary).securityContext?.reference);
  }
  return undefined;
}

function practitionerReference(reference: string | undefined): string | undefined {
  const match = /(?:^|\/)(Practitioner\/[A-Za-z0-9\-.]{1,64})$/.exec(reference ?? '');
  return match?.[1];
}
