import type { CodeableConcept } from '@medplum/fhirtypes';
import { cancelAppointment } from '../../domain/scheduling/appointment-changes';
import { badRequest } from '../outcomes';
import { changedResource, scheduling, settingsOf } from '../scheduling/scheduling-outcome';
import type { FhirOperation } from './fhir-operation';
import { OperationInput } from './parameters';

export const CANCELLATION_REASON_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/cancellation-reason';

/**
 * `Appointment/[id]/$cancel`: status cancelled with a reason, and the slot free again, in one
 * transaction. Patients may not cancel within CANCEL_WINDOW_MINUTES of the start (422).
 */
export const appointmentCancel: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Appointment-cancel',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Appointment-cancel',
    name: 'Cancel',
    status: 'active',
    kind: 'operation',
    code: 'cancel',
    resource: ['Appointment'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [
      { name: 'reason', use: 'in', min: 1, max: '1', type: 'string', documentation: 'Why, in words' },
      { name: 'reasonCode', use: 'in', min: 0, max: '1', type: 'code', documentation: 'patient | practitioner | platform' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
    ],
  },
  async handle(ctx, request, target) {
    const input = OperationInput.read(appointmentCancel.definition, request);
    const text = input.string('reason');
    if (!text) {
      throw badRequest('$cancel needs a reason', 'reason');
    }
    const code = input.string('reasonCode') ?? defaultReasonCode(ctx.access.principal);
    const reason: CodeableConcept = { coding: [{ system: CANCELLATION_REASON_SYSTEM, code }], text };
    const settings = settingsOf(ctx);
    const appointment = await scheduling(() =>
      cancelAppointment(ctx.repo, target.id as string, reason, {
        nowMs: Date.now(),
        cancelWindowMinutes: settings.cancelWindowMinutes,
        principal: ctx.access.principal,
      }),
    );
    return changedResource(appointment);
  },
};

function defaultReasonCode(principal: Parameters<typeof cancelAppointment>[3]['principal']): string {
  if (principal.kind === 'user') {
    return principal.role === 'patient' ? 'patient' : principal.role === 'doctor' ? 'practitioner' : 'platform';
  }
  return 'platform';
}
