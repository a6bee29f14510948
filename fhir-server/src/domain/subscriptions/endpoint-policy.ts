import { isIP } from 'node:net';

export interface EndpointPolicy {
  /** Hosts allowed (`hooks.example.org`, `*.example.org`); empty: any host. */
  readonly allowedHosts: readonly string[];
  /** Refuse loopback, private and link-local targets (NODE_ENV=production). */
  readonly production: boolean;
}

/**
 * Why a rest-hook endpoint (or a $import input, `field`) may not be reached, or undefined when it may: http(s) only, no
 * credentials in the URL, an allowed host, and in production no loopback or private address
 * (a Subscription must not become a way to reach the server's own network). Cloud metadata
 * addresses (169.254.0.0/16) are refused always.
 */
export function endpointProblem(endpoint: string | undefined, policy: EndpointPolicy, field = 'channel.endpoint'): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint ?? '');
  } catch {
    return `${field} must be an absolute http(s) URL`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `${field} must be an http(s) URL`;
  }
  if (url.username || url.password) {
    return field === 'channel.endpoint'
      ? 'channel.endpoint must not carry credentials; use channel.header'
      : `${field} must not carry credentials`;
  }
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (policy.allowedHosts.length > 0 && !policy.allowedHosts.some((allowed) => hostMatches(host, allowed))) {
    return `${field} host ${host} is not in SUBSCRIPTION_ALLOWED_HOSTS`;
  }
  if (host.startsWith('169.254.') || host.startsWith('fe80:')) {
    return `${field} host ${host} is a link-local address`;
  }
  if (policy.production && isInternal(host)) {
    return `${field} host ${host} is a loopback or private address`;
  }
  return undefined;
}

function hostMatches(host: string, allowed: string): boolean {
  return allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed;
}

function isInternal(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) {
    return true;
  }
  if (isIP(host) === 4) {
    const [a, b] = host.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(host) === 6) {
    return host === '::1' || host === '::' || host.startsWith('fc') || host.startsWith('fd') || host.startsWith('::ffff:');
  }
  return false;
}
