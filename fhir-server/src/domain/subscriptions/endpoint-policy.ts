import { isIP } from 'node:net';

export interface EndpointPolicy {
  /** Hosts allowed (`hooks.example.org`, `*.example.org`); empty: any host. */
  readonly allowedHosts: readonly string[];
  /** Loopback and private addresses may be reached (SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS; off in production). */
  readonly allowPrivateNetworks: boolean;
}

/**
 * Why a rest-hook endpoint (or a $import input, `field`) may not be reached, or undefined when
 * it may: http(s) only, no credentials in the URL, an allowed host, and unless private networks
 * are allowed no loopback or private host name or address (a Subscription must not become a way
 * to reach the server's own network). Link-local addresses (cloud metadata, 169.254.0.0/16) are
 * refused always. The addresses a host name resolves to are checked at each delivery
 * (`addressProblem`).
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
  if (isIP(host)) {
    return addressProblem(host, policy)?.replace(/^address/, `${field} host`);
  }
  if (!policy.allowPrivateNetworks && isInternalName(host)) {
    return `${field} host ${host} is a loopback or private address`;
  }
  return undefined;
}

/**
 * Why an IP address (a literal, or what a host name resolved to) may not be connected to:
 * link-local always; loopback, private, shared (CGNAT), unspecified and multicast ones unless
 * private networks are allowed.
 */
export function addressProblem(address: string, policy: Pick<EndpointPolicy, 'allowPrivateNetworks'>): string | undefined {
  const ip = unmapped(address.toLowerCase());
  if (isLinkLocal(ip)) {
    return `address ${address} is a link-local address`;
  }
  if (!policy.allowPrivateNetworks && isInternalAddress(ip)) {
    return `address ${address} is a loopback or private address`;
  }
  return undefined;
}

function hostMatches(host: string, allowed: string): boolean {
  return allowed.startsWith('*.') ? host.endsWith(allowed.slice(1)) : host === allowed;
}

function isInternalName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local');
}

/** `::ffff:10.0.0.1` -> `10.0.0.1`, so a mapped address is judged as the IPv4 one it is. */
function unmapped(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  return mapped ? mapped[1] : ip;
}

function isLinkLocal(ip: string): boolean {
  if (isIP(ip) === 4) {
    return ip.startsWith('169.254.');
  }
  return /^fe[89ab][0-9a-f]:/.test(ip);
}

function isInternalAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const [a, b] = ip.split('.').map(Number);
    return (
      a === 127 ||
      a === 10 ||
      a === 0 ||
      a >= 224 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (isIP(ip) === 6) {
    return ip === '::1' || ip === '::' || /^f[cd][0-9a-f]{2}:/.test(ip) || ip.startsWith('ff') || ip.startsWith('::ffff:');
  }
  return true;
}
