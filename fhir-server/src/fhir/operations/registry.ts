import { appliesToType, type FhirOperation } from './fhir-operation';
import { codeSystemLookup } from './codesystem-lookup';
import { codeSystemSubsumes } from './codesystem-subsumes';
import { compositionSign } from './composition-sign';
import { medicationRequestPdf } from './medicationrequest-pdf';
import { patientEverything } from './patient-everything';
import { resourceValidate } from './resource-validate';
import { searchParameterReindex } from './search-parameter-reindex';
import { valueSetExpand } from './valueset-expand';
import { valueSetValidateCode } from './valueset-validate-code';

/** Every operation the server implements: the one list routes and the CapabilityStatement read. */
export const OPERATIONS: readonly FhirOperation[] = [
  resourceValidate,
  valueSetExpand,
  valueSetValidateCode,
  codeSystemLookup,
  codeSystemSubsumes,
  searchParameterReindex,
  compositionSign,
  medicationRequestPdf,
  patientEverything,
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
