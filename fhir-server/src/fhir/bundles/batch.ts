import type { Bundle } from '@medplum/fhirtypes';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { outcomeErrorOf } from '../storage-outcomes';
import { entryToRequest } from './entry-request';
import { errorEntry, responseEntry } from './entry-response';
import type { Dispatch } from './transaction';
import { entryList } from './entry-list';

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
      // A refused write (403), a stale version (409), a search stopped as too costly (400), ...
      // fail their entry only; a server fault fails the batch.
      const error = outcomeErrorOf(caught);
      if (!error) {
        throw caught;
      }
      entry.push(errorEntry(error.status, error.outcome));
    }
  }
  return { status: 200, resource: { resourceType: 'Bundle', type: 'batch-response', ...entryList(entry) } };
}
