import { appliesToType, type FhirOperation } from './fhir-operation';
import { appointmentBook } from './appointment-book';
import { appointmentCancel } from './appointment-cancel';
import { appointmentFind } from './appointment-find';
import { appointmentHold } from './appointment-hold';
import { appointmentReschedule } from './appointment-reschedule';
import { appointmentCheckIn } from './appointment-check-in';
import { encounterAdmit } from './encounter-admit';
import { encounterEnd } from './encounter-end';
import { encounterVideoToken } from './encounter-video-token';
import { codeSystemLookup } from './codesystem-lookup';
import { codeSystemSubsumes } from './codesystem-subsumes';
import { practitionerVerify } from './practitioner-verify';
import { documentReferenceDownloadUrl } from './documentreference-download-url';
import { compositionSign } from './composition-sign';
import { medicationRequestPdf } from './medicationrequest-pdf';
import { encounterEverything } from './encounter-everything';
import { observationLastN } from './observation-lastn';
import { patientEverything } from './patient-everything';
import { resourceMeta, resourceMetaAdd, resourceMetaDelete } from './resource-meta';
import { resourceValidate } from './resource-validate';
import { scheduleGenerateSlots } from './schedule-generate-slots';
import { searchParameterReindex } from './search-parameter-reindex';
import { subscriptionEvents } from './subscription-events';
import { subscriptionGetWsBindingToken } from './subscription-get-ws-binding-token';
import { systemExport } from './system-export';
import { systemImport } from './system-import';
import { valueSetExpand } from './valueset-expand';
import { valueSetValidateCode } from './valueset-validate-code';

/** Every operation the server implements: the one list routes and the CapabilityStatement read. */
export const OPERATIONS: readonly FhirOperation[] = [
  resourceValidate,
  resourceMeta,
  resourceMetaAdd,
  resourceMetaDelete,
  valueSetExpand,
  valueSetValidateCode,
  codeSystemLookup,
  codeSystemSubsumes,
  searchParameterReindex,
  appointmentFind,
  appointmentHold,
  appointmentBook,
  appointmentCancel,
  appointmentReschedule,
  scheduleGenerateSlots,
  practitionerVerify,
  appointmentCheckIn,
  encounterAdmit,
  encounterEnd,
  encounterVideoToken,
  documentReferenceDownloadUrl,
  compositionSign,
  medicationRequestPdf,
  subscriptionEvents,
  subscriptionGetWsBindingToken,
  systemExport,
  systemImport,
  patientEverything,
  encounterEverything,
  observationLastN,
];

/** The operation with this code invocable at this level on this resource type, if any. */
export function findOperation(code: string, level: 'system' | 'type' | 'instance', resourceType?: string): FhirOperation | undefined {
  return OPERATIONS.find(
    (op) =>
      op.definition.code === code &&
      op.definition[level] === true &&
      (level === 'system' || (resourceType !== undefined && appliesToType(op, resourceType))),
  );
}
