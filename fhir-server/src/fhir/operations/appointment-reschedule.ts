import { rescheduleAppointment } from '../../domain/scheduling/appointment-changes';
import { badRequest } from '../outcomes';
import { changedResource, scheduling, settingsOf, slotIdOf } from '../scheduling/scheduling-outcome';
import type { FhirOperation } from './fhir-operation';
import { OperationInput } from './parameters';

/**
 * `Appointment/[id]/$reschedule`: the same Appointment moves to another free slot (new slot
 * busy, old slot free, in one transaction); its history keeps where it was. The cancel window
 * applies to patients as for `$cancel`.
 */
export const appointmentReschedule: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Appointment-reschedule',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Appointment-reschedule',
    name: 'Reschedule',
    status: 'active',
    kind: 'operation',
    code: 'reschedule',
    resource: ['Appointment'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [
      { name: 'slot', use: 'in', min: 1, max: '1', type: 'string', documentation: 'Slot/<id> to move to' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Appointment' },
    ],
  },
  async handle(ctx, request, target) {
    const input = OperationInput.read(appointmentReschedule.definition, request);
    const slot = input.string('slot');
    const slotId = slotIdOf(slot);
    if (!slotId) {
      throw badRequest('$reschedule needs the new slot (Slot/<id>)', 'slot');
    }
    const settings = settingsOf(ctx);
    const appointment = await scheduling(() =>
      rescheduleAppointment(ctx.repo, target.id as string, slotId, {
        nowMs: Date.now(),
        cancelWindowMinutes: settings.cancelWindowMinutes,
        principal: ctx.access.principal,
      }),
    );
    return changedResource(appointment);
  },
};
