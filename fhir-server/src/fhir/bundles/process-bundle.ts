import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { badRequest } from '../outcomes';
import { requireValidBundle } from '../validation/resource-validator';
import { processBatch } from './batch';
import { processTransaction, type Dispatch } from './transaction';

/** `POST [base]` with a batch or transaction Bundle. */
export async function processBundle(ctx: FhirContext, request: FhirRequest, dispatch: Dispatch): Promise<FhirResponse> {
  if ((request.body as { resourceType?: unknown } | undefined)?.resourceType !== 'Bundle') {
    throw badRequest('POST to the base URL takes a Bundle of type batch or transaction', 'resourceType');
  }
  const bundle = requireValidBundle(request.body);
  const preferReturn = request.headers.preferReturn;
  if (bundle.type === 'transaction') {
    return processTransaction(ctx, bundle, dispatch, preferReturn);
  }
  if (bundle.type === 'batch') {
    return processBatch(ctx, bundle, dispatch, preferReturn);
  }
  throw badRequest(`Bundle.type must be batch or transaction, got ${JSON.stringify(bundle.type ?? null)}`, 'Bundle.type');
}
