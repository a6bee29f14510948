import type { Encounter, OperationDefinition } from '@medplum/fhirtypes';
import { withEncounterStatus } from '../../domain/consultations/consultation-encounter';
import { videoRoomName } from '../../domain/video/video-provider';
import {
  appointmentOf,
  currentResource,
  requireConsultations,
  requireParticipant,
  saveStatusChange,
} from '../consultations/consultation-records';
import { conflict } from '../outcomes';
import type { FhirOperation } from './fhir-operation';

/**
 * `Encounter/{id}/$end`: the practitioner ends the consultation. The Encounter is finished
 * (its period ends), the Appointment fulfilled, in one transaction; then the video room is
 * completed.
 */
export const encounterEnd: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Encounter-end',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Encounter-end',
    name: 'End',
    status: 'active',
    kind: 'operation',
    code: 'end',
    resource: ['Encounter'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [{ name: 'return', use: 'out', min: 1, max: '1', type: 'Encounter' }],
  },
  async handle(ctx, _request, target) {
    const services = requireConsultations(ctx);
    const { response, appointmentId } = await ctx.repo.transaction(async (repo) => {
      const txCtx = { ...ctx, repo };
      const current = await currentResource<Encounter>(repo, 'Encounter', target.id as string, true);
      const appointment = await appointmentOf(repo, current.resource, true);
      requireParticipant(ctx, appointment.resource, ['practitioner'], 'end the consultation');
      if (current.resource.status === 'finished') {
        throw conflict('The consultation has already ended');
      }
      const ended = await saveStatusChange(txCtx, current, withEncounterStatus(current.resource, 'finished', services.now()));
      await saveStatusChange(txCtx, appointment, { ...appointment.resource, status: 'fulfilled' });
      return { response: ended, appointmentId: appointment.resource.id };
    });
    await services.video.completeRoom(videoRoomName(appointmentId));
    return response;
  },
};
