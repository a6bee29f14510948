import type { Bundle } from '@medplum/fhirtypes';
import type { FhirContext, FhirRequest, FhirResponse } from '../fhir-request';
import { badRequest } from '../outcomes';
import { processBatch } from './batch';
import { processTransaction, type Dispatch } from './transaction';

/** `POST [base]` with a batch or transaction Bundle. */
export async function processBundle(ctx: FhirContext, request: FhirRequest, dispatch: Dispatch): Promise<FhirResponse> {
  const bundle = request.body as Bundle | undefined;
  if (bundle?.resourceType !== 'Bundle') {
    throw badRequest('POST to the base URL takes a Bundle of type batch or transaction', 'resourceType');
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  }
  const preferReturn = request.headers.preferReturn;
  if (bundle.type === 'transaction') {
    return processTransaction(ctx, bundle, dispatch, preferReturn);
  }
  if (bundle.type === 'batch') {
    return processBatch(ctx, bundle, dispatch, preferReturn);
  }
  throw badRequest(`Bundle.type must be batch or transaction, got ${JSON.stringify(bundle.type ?? null)}`, 'Bundle.type');
}
