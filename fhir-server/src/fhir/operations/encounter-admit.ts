import type { Encounter, OperationDefinition } from '@medplum/fhirtypes';
import { withEncounterStatus } from '../../domain/consultations/consultation-encounter';
import {
  appointmentOf,
  currentResource,
  requireConsultations,
  requireOpenAppointment,
  requireParticipant,
  saveStatusChange,
} from '../consultations/consultation-records';
import { storedResponse } from '../interactions/stored-resource';
import type { FhirOperation } from './fhir-operation';

/**
 * `Encounter/{id}/$admit`: the practitioner lets the waiting patient in; the Encounter
 * becomes in-progress and its period starts. Admitting a running consultation again
 * (the practitioner rejoining) changes nothing.
 */
export const encounterAdmit: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Encounter-admit',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Encounter-admit',
    name: 'Admit',
    status: 'active',
    kind: 'operation',
    code: 'admit',
    resource: ['Encounter'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Encounter' }],
  },
  async handle(ctx, _request, target) {
    const services = requireConsultations(ctx);
    return ctx.repo.transaction(async (repo) => {
      const txCtx = { ...ctx, repo };
      const current = await currentResource<Encounter>(repo, 'Encounter', target.id as string, true);
      const { resource: appointment } = await appointmentOf(repo, current.resource);
      requireParticipant(ctx, appointment, ['practitioner'], 'admit the patient');
      requireOpenAppointment(appointment);
      if (current.resource.status === 'in-progress') {
        return storedResponse(current.stored);
      }
      return saveStatusChange(txCtx, current, withEncounterStatus(current.resource, 'in-progress', services.now()));
    });
  },
};
