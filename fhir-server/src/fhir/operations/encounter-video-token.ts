import type { Encounter, OperationDefinition, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { consultationWindow, outsideWindowProblem } from '../../domain/consultations/consultation-window';
import { videoRoomName, type VideoCredentials } from '../../domain/video/video-provider';
import {
  appointmentOf,
  callerProfile,
  currentResource,
  requireConsultations,
  requireOpenAppointment,
  requireParticipant,
} from '../consultations/consultation-records';
import { businessRule } from '../consultations/status-rules';
import { conflict, outcome, OutcomeError } from '../outcomes';
import type { FhirOperation } from './fhir-operation';

/**
 * `Encounter/{id}/$video-token`: credentials for the consultation's video room (one room per
 * appointment), for the appointment's patient and practitioner only, from
 * VIDEO_CHECKIN_MINUTES before the start until an hour after the booked end, while the
 * Encounter is open. The answer names the provider and how to connect.
 */
export const encounterVideoToken: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Encounter-video-token',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Encounter-video-token',
    name: 'VideoToken',
    status: 'active',
    kind: 'operation',
    code: 'video-token',
    resource: ['Encounter'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [
      { name: 'provider', use: 'out', min: 1, max: '1', type: 'code', documentation: 'webrtc | twilio' },
      { name: 'room', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'identity', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'token', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'expires', use: 'out', min: 1, max: '1', type: 'instant' },
      { name: 'signallingUrl', use: 'out', min: 0, max: '1', type: 'url', documentation: 'webrtc: the WebSocket to join with the token' },
      { name: 'iceServer', use: 'out', min: 0, max: '*', documentation: 'webrtc: STUN/TURN servers (urls, username, credential)' },
    ],
  },
  async handle(ctx, _request, target) {
    const services = requireConsultations(ctx);
    const now = services.now();
    const { resource: encounter } = await currentResource<Encounter>(ctx.repo, 'Encounter', target.id as string);
    const { resource: appointment } = await appointmentOf(ctx.repo, encounter);
    requireParticipant(ctx, appointment, ['patient', 'practitioner'], 'join the video room');
    requireOpenAppointment(appointment);
    if (['finished', 'cancelled', 'entered-in-error'].includes(encounter.status)) {
      throw conflict(`The consultation is ${encounter.status}`);
    }
    const window = consultationWindow(appointment, services.settings);
    if (!window) {
      throw businessRule('The appointment has no start and end', 'Appointment.start');
    }
    const closed = outsideWindowProblem(window, window.closes, now, 'The video room');
    if (closed) {
      throw businessRule(closed);
    }
    let credentials: VideoCredentials;
    try {
      credentials = await services.video.issueCredentials({
        room: videoRoomName(appointment.id),
        identity: callerProfile(ctx) as string,
        expiresAt: window.closes,
      });
    } catch {
      // The provider's cloud (Twilio's REST API) failed: nothing was written, the caller may retry.
      throw new OutcomeError(outcome('error', 'transient', 'The video service is not available right now; try again'), 503);
    }
    return { status: 200, resource: toParameters(credentials) };
  },
};

function toParameters(credentials: VideoCredentials): Parameters {
  const parameter: ParametersParameter[] = [
    { name: 'provider', valueCode: credentials.provider },
    { name: 'room', valueString: credentials.room },
    { name: 'identity', valueString: credentials.identity },
    { name: 'token', valueString: credentials.token },
    { name: 'expires', valueInstant: credentials.expiresAt.toISOString() },
  ];
  if (credentials.signallingUrl) {
    parameter.push({ name: 'signallingUrl', valueUrl: credentials.signallingUrl });
  }
  for (const server of credentials.iceServers ?? []) {
    parameter.push({
      name: 'iceServer',
      part: [
        ...server.urls.map((url) => ({ name: 'urls', valueString: url })),
        ...(server.username ? [{ name: 'username', valueString: server.username }] : []),
        ...(server.credential ? [{ name: 'credential', valueString: server.credential }] : []),
      ],
    });
  }
  return { resourceType: 'Parameters', parameter };
}
