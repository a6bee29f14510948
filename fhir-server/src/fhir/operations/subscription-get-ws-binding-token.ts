import type { OperationDefinition, Subscription } from '@medplum/fhirtypes';
import { toPrincipalRecord } from '../../auth/principal-record';
import { parseStored, requireLive } from '../interactions/stored-resource';
import { badRequest, notSupported } from '../outcomes';
import type { FhirOperation } from './fhir-operation';

/**
 * `Subscription/[id]/$get-ws-binding-token` (as in the R4B Subscriptions Backport): a
 * short-lived token with which a client that cannot send an Authorization header (a browser)
 * binds the Subscription on the WebSocket (`bind-with-token <token>`). Only for callers who may
 * read the Subscription (404 otherwise), and only for a websocket channel.
 */
export const subscriptionGetWsBindingToken: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Subscription-get-ws-binding-token',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Subscription-get-ws-binding-token',
    name: 'GetWsBindingToken',
    status: 'active',
    kind: 'operation',
    code: 'get-ws-binding-token',
    resource: ['Subscription'] as OperationDefinition['resource'],
    system: false,
    type: false,
    instance: true,
    affectsState: false,
    parameter: [
      { name: 'token', use: 'out', min: 1, max: '1', type: 'string', documentation: 'Send `bind-with-token <token>` on the WebSocket' },
      { name: 'expiration', use: 'out', min: 1, max: '1', type: 'dateTime', documentation: 'The token binds until then' },
      { name: 'subscription', use: 'out', min: 1, max: '1', type: 'string' },
      { name: 'websocket-url', use: 'out', min: 1, max: '1', type: 'url' },
    ],
  },
  async handle(ctx, _request, target) {
    const id = target.id ?? '';
    const subscription = parseStored(requireLive(await ctx.repo.readCurrent('Subscription', id), 'Subscription', id)) as Subscription;
    if (subscription.channel?.type !== 'websocket') {
      throw badRequest(`Subscription/${id} does not have a websocket channel`);
    }
    if (!ctx.subscriptionChannels) {
      throw notSupported('The Subscription WebSocket is not available');
    }
    const { token, expires } = ctx.subscriptionChannels.tokens.issue(id, toPrincipalRecord(ctx.access.principal));
    return {
      status: 200,
      resource: {
        resourceType: 'Parameters',
        parameter: [
          { name: 'token', valueString: token },
          { name: 'expiration', valueDateTime: expires.toISOString() },
          { name: 'subscription', valueString: `Subscription/${id}` },
          { name: 'websocket-url', valueUrl: ctx.subscriptionChannels.websocketUrl },
        ],
      },
    };
  },
};
