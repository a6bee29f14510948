import type { Subscription } from '@medplum/fhirtypes';
import { endpointProblem, type EndpointPolicy } from './endpoint-policy';
import { webPushKeys, WEB_PUSH_EXTENSION } from './subscription-channels';
import { parseCriteria } from './subscription-criteria';

const PAYLOAD_TYPES = new Set(['application/fhir+json', 'application/json']);
const HEADER = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}:[^\r\n]{0,1000}$/;
/** Headers the server sets itself on every delivery. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'host', 'x-medbuddy-subscription', 'x-medbuddy-event-number']);
const MAX_HEADERS = 20;
const BASE64URL = /^[A-Za-z0-9_-]{16,200}={0,2}$/;

/**
 * What is wrong with a Subscription for this server (R4 subscription.html), or nothing:
 * criteria it can evaluate, a websocket or rest-hook channel (a rest-hook one possibly a Web Push
 * endpoint with its keys), an endpoint the policy allows (checked when one is given: at
 * activation and delivery), a JSON payload type, and well-formed headers.
 */
export function subscriptionProblems(subscription: Subscription, knownTypes: readonly string[], policy?: EndpointPolicy): string[] {
  const problems: string[] = [];
  const criteria = parseCriteria(subscription.criteria, knownTypes);
  if (!criteria.ok) {
    problems.push(criteria.problem);
  }
  const channel = subscription.channel;
  if (channel?.type === 'websocket') {
    // R4: the client binds over the server's WebSocket endpoint; nothing else to check.
    if (channel.payload !== undefined && !PAYLOAD_TYPES.has(channel.payload)) {
      problems.push('channel.payload must be application/fhir+json, application/json, or absent (ping only)');
    }
    return problems;
  }
  if (channel?.type !== 'rest-hook') {
    problems.push(`channel.type ${channel?.type ?? '(none)'} is not supported; use rest-hook or websocket`);
    return problems;
  }
  const push = webPushKeys(subscription);
  if (push && !(BASE64URL.test(push.p256dh) && BASE64URL.test(push.auth))) {
    problems.push(`channel extension ${WEB_PUSH_EXTENSION} needs p256dh and auth (base64url valueString)`);
  }
  const endpoint = endpointProblem(channel.endpoint, policy ?? { allowedHosts: [], allowPrivateNetworks: true });
  if (endpoint) {
    problems.push(endpoint);
  }
  if (channel.payload !== undefined && !PAYLOAD_TYPES.has(channel.payload)) {
    problems.push('channel.payload must be application/fhir+json, application/json, or absent (no body)');
  }
  const headers = channel.header ?? [];
  if (headers.length > MAX_HEADERS) {
    problems.push(`channel.header may have at most ${MAX_HEADERS} entries`);
  }
  for (const header of headers) {
    if (!HEADER.test(header) || RESERVED_HEADERS.has(header.split(':')[0].trim().toLowerCase())) {
      problems.push(`channel.header "${header.slice(0, 80)}" must be "Name: value" and not a header the server sets`);
    }
  }
  return problems;
}

/** `Name: value` entries as a header record. */
export function channelHeaders(subscription: Subscription): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const header of subscription.channel?.header ?? []) {
    const colon = header.indexOf(':');
    if (colon > 0) {
      headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    }
  }
  return headers;
}
