import { FULL_ACCESS } from '../../auth/access-context';
import { recordVerification, type VerificationDecision } from '../../domain/practitioners/verification';
import { badRequest, forbidden } from '../outcomes';
import { scheduling } from '../scheduling/scheduling-outcome';
import type { FhirOperation } from './fhir-operation';
import { OperationInput, outputParameters } from './parameters';

const DECISIONS: readonly VerificationDecision[] = ['validated', 'rejected', 'suspended'];

/**
 * `Practitioner/[id]/$verify` (administrators): records a VerificationResult and makes the
 * doctor discoverable (validated) or removes them from discovery (rejected, suspended). Their
 * future appointments are not cancelled; they come back in `futureAppointment` for follow-up.
 */
export const practitionerVerify: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Practitioner-verify',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Practitioner-verify',
    name: 'Verify',
    status: 'active',
    kind: 'operation',
    code: 'verify',
    resource: ['Practitioner'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [
      { name: 'status', use: 'in', min: 1, max: '1', type: 'code', documentation: 'validated | rejected | suspended' },
      { name: 'reason', use: 'in', min: 1, max: '1', type: 'string' },
      { name: 'verificationResult', use: 'out', min: 1, max: '1', type: 'VerificationResult' },
      { name: 'practitioner', use: 'out', min: 1, max: '1', type: 'Practitioner' },
      { name: 'futureAppointment', use: 'out', min: 0, max: '*', type: 'Reference' },
    ],
  },
  async handle(ctx, request, target) {
    const principal = ctx.access.principal;
    const isAdmin = principal.kind === 'user' && principal.role === 'admin';
    if (!isAdmin && !ctx.access.unrestricted) {
      throw forbidden('Only administrators verify doctors');
    }
    const input = OperationInput.read(practitionerVerify.definition, request);
    const status = input.string('status') as VerificationDecision | undefined;
    if (!status || !DECISIONS.includes(status)) {
      throw badRequest(`status must be one of ${DECISIONS.join(', ')}`, 'status');
    }
    const reason = input.string('reason');
    if (!reason) {
      throw badRequest('$verify needs a reason', 'reason');
    }
    const verifier =
      principal.kind === 'user'
        ? { display: `account:${principal.accountId}` }
        : { display: `client:${principal.kind === 'client' ? principal.clientId : 'unknown'}` };
    const outcome = await scheduling(() =>
      recordVerification(ctx.repo.withAccess(FULL_ACCESS), target.id as string, status, reason, verifier, Date.now()),
    );
    return {
      status: 200,
      resource: outputParameters([
        { name: 'verificationResult', resource: outcome.result },
        { name: 'practitioner', resource: outcome.practitioner },
        ...outcome.futureAppointments.map((valueReference) => ({ name: 'futureAppointment', valueReference })),
      ]),
    };
  },
};
