import type { Bundle } from '@medplum/fhirtypes';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { AccessDeniedError } from '../../storage/storage-errors';
import { forbidden, OutcomeError } from '../outcomes';
import { entryToRequest } from './entry-request';
import { errorEntry, responseEntry } from './entry-response';
import type { Dispatch } from './transaction';

/**
 * A batch Bundle (http://hl7.org/fhir/R4/http.html#transaction): entries processed
 * independently, each answered with its own status or OperationOutcome.
 */
export async function processBatch(
  ctx: FhirContext,
  bundle: Bundle,
  dispatch: Dispatch,
  preferReturn: 'minimal' | 'representation' | 'OperationOutcome' | undefined,
): Promise<FhirResponse> {
  const entry = [];
  for (const [index, item] of (bundle.entry ?? []).entries()) {
    try {
      const response = await dispatch(ctx, entryToRequest(item, index, ctx.baseUrl));
      entry.push(responseEntry(response, preferReturn, ctx.baseUrl));
    } catch (caught) {
      // A write the caller may not make fails its entry only (403), like any other refusal.
      const error = caught instanceof AccessDeniedError ? forbidden(caught.message) : caught;
      if (!(error instanceof OutcomeError)) {
        throw error;
      }
      entry.push(errorEntry(error.status, error.outcome));
    }
  }
  return { status: 200, resource: { resourceType: 'Bundle', type: 'batch-response', entry } };
}
