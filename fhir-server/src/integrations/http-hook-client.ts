import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { PermanentFailure } from '../domain/notifications/notification-job';
import { addressProblem, type EndpointPolicy } from '../domain/subscriptions/endpoint-policy';
import { HookStatusError, type HookClient, type HookRequest } from '../domain/subscriptions/hook-client';

/** Resolves a host name to all its addresses (node:dns lookup by default; tests give their own). */
export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))));

export interface HookClientOptions {
  readonly timeoutMs: number;
  readonly policy: Pick<EndpointPolicy, 'allowPrivateNetworks'>;
  readonly resolve?: Resolver;
}

/**
 * Rest-hook (and Web Push) POSTs over node:http(s). The host name is resolved once; every
 * address it resolves to must pass the policy (no loopback, private or link-local target
 * unless allowed), and the connection goes to the address that was checked, never through a
 * second lookup, so a DNS answer that changes between check and connect (DNS rebinding) cannot
 * redirect it. TLS still verifies the certificate for the host name. Bounded by `timeoutMs`,
 * redirects not followed, the response body discarded.
 */
export function httpHookClient(options: HookClientOptions): HookClient {
  const resolve = options.resolve ?? systemResolver;
  return {
    async post({ url, headers, body }: HookRequest) {
      const target = new URL(url);
      const hostname = target.hostname.replace(/^\[|\]$/g, '');
      let addresses: LookupAddress[];
      try {
        addresses = isIP(hostname) ? [{ address: hostname, family: isIP(hostname) }] : await resolve(hostname);
      } catch (error) {
        throw new Error(`POST ${url} failed: ${hostname} does not resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
      }
      const refused = addresses.map((a) => addressProblem(a.address, options.policy)).find(Boolean);
      if (refused || addresses.length === 0) {
        throw new PermanentFailure(`POST ${url} refused: ${hostname} resolves to ${refused ?? 'no address'}`);
      }
      const status = await send(target, addresses[0], headers, body, options.timeoutMs).catch((error: Error) => {
        throw new Error(`POST ${url} failed: ${error.message}`);
      });
      if (status < 200 || status > 299) {
        throw new HookStatusError(url, status);
      }
    },
  };
}

function send(
  target: URL,
  pinned: LookupAddress,
  headers: Readonly<Record<string, string>>,
  body: string | Buffer | undefined,
  timeoutMs: number,
): Promise<number> {
  // The checked address, whatever the name resolves to now.
  const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all) {
      (callback as unknown as (error: null, addresses: LookupAddress[]) => void)(null, [pinned]);
    } else {
      callback(null, pinned.address, pinned.family);
    }
  };
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : { 'Content-Length': '0' }),
        },
        lookup,
        agent: false,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      },
    );
    // A bound on the whole exchange, not on idle time: a server answering byte by byte is cut off too.
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
}
