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
  const notObject = (bundle.entry ?? []).findIndex((entry: unknown) => typeof entry !== 'object' || entry === null || Array.isArray(entry));
  if (notObject >= 0) {
    throw badRequest('Each entry of a Bundle must be an object', `Bundle.entry[${notObject}]`);
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
