import type { Appointment, OperationDefinition } from '@medplum/fhirtypes';
import { consultationWindow, outsideWindowProblem } from '../../domain/consultations/consultation-window';
import { encounterForAppointment } from '../../domain/consultations/consultation-encounter';
import {
  createEncounter,
  currentResource,
  encounterOf,
  requireConsultations,
  requireOpenAppointment,
  requireParticipant,
  saveStatusChange,
} from '../consultations/consultation-records';
import { businessRule } from '../consultations/status-rules';
import type { FhirOperation } from './fhir-operation';

/**
 * `Appointment/{id}/$check-in`: the appointment's patient enters the waiting room, from
 * VIDEO_CHECKIN_MINUTES before the start until the booked end. The Appointment becomes
 * arrived and a virtual Encounter (arrived) is opened for it; checking in again (rejoining
 * the waiting room) returns the same Encounter. The answer is the Encounter.
 */
export const appointmentCheckIn: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Appointment-check-in',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Appointment-check-in',
    name: 'CheckIn',
    status: 'active',
    kind: 'operation',
    code: 'check-in',
    resource: ['Appointment'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Encounter', documentation: 'The consultation Encounter' }],
  },
  async handle(ctx, _request, target) {
    const services = requireConsultations(ctx);
    const now = services.now();
    return ctx.repo.transaction(async (repo) => {
      const txCtx = { ...ctx, repo };
      const current = await currentResource<Appointment>(repo, 'Appointment', target.id as string, true);
      const appointment = current.resource;
      requireParticipant(ctx, appointment, ['patient'], 'check in');
      requireOpenAppointment(appointment);
      const window = consultationWindow(appointment, services.settings);
      if (!window) {
        throw businessRule('The appointment has no start and end', 'Appointment.start');
      }
      if (appointment.status !== 'arrived') {
        const closed = outsideWindowProblem(window, window.checkInCloses, now, 'Check-in');
        if (closed) {
          throw businessRule(closed);
        }
        await saveStatusChange(txCtx, current, { ...appointment, status: 'arrived' });
      }
      const existing = await encounterOf(txCtx, appointment.id);
      if (existing) {
        return { status: 200, resource: existing.resource, versionId: existing.stored.versionId, lastUpdated: existing.stored.lastUpdated };
      }
      return createEncounter(txCtx, encounterForAppointment(appointment, now));
    });
  },
};
