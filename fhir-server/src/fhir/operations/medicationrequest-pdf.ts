import type { OperationDefinition } from '@medplum/fhirtypes';
import { prescriptionPdf } from '../../domain/prescriptions/prescription-pdf';
import { notSupported } from '../outcomes';
import { withRuleOutcomes } from '../rule-outcome';
import type { FhirOperation } from './fhir-operation';

/**
 * `GET MedicationRequest/{id}/$pdf`: the prescription the item belongs to (every live item of
 * its groupIdentifier) as a signed PDF, answered as a Binary (application/pdf, base64). Anyone
 * who can read the item gets it; the first request signs it and records a Provenance
 * (domain/prescriptions/prescription-pdf.ts), later ones return the same document.
 */
export const medicationRequestPdf: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'MedicationRequest-pdf',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/MedicationRequest-pdf',
    name: 'PrescriptionPdf',
    status: 'active',
    kind: 'operation',
    code: 'pdf',
    resource: ['MedicationRequest'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    // Signing the first time is a side effect of producing the document, not a change the caller asks for.
    affectsState: false,
    parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Binary', documentation: 'The signed PDF (application/pdf)' }],
  },
  async handle(ctx, _request, target) {
    const documents = ctx.prescriptionDocuments;
    if (!documents) {
      throw notSupported('Prescription documents are not configured on this server');
    }
    const { binary } = await withRuleOutcomes(() => prescriptionPdf(ctx.repo, target.id as string, documents));
    return { status: 200, resource: binary };
  },
};
