import { PermanentFailure } from '../../src/domain/notifications/notification-job';
import { httpHookClient, type Resolver } from '../../src/integrations/http-hook-client';
import { startHookListener, type HookListener } from '../setup/hook-listener';

/**
 * The rest-hook client against a real local HTTP listener, with host names resolved by a
 * resolver the test controls: the addresses a name resolves to are checked, and the
 * connection goes to the checked one without a second lookup (DNS rebinding).
 */
let hooks: HookListener;
let port: string;
beforeAll(async () => {
  hooks = await startHookListener();
  port = new URL(hooks.url).port;
});
afterAll(() => hooks?.close());

/** Answers 127.0.0.1 the first time and `later` every time after (a rebinding DNS server). */
function rebinding(later: string): Resolver & { calls: number } {
  const resolver = Object.assign(
    async () => {
      resolver.calls += 1;
      return [{ address: resolver.calls === 1 ? '127.0.0.1' : later, family: 4 }];
    },
    { calls: 0 },
  );
  return resolver;
}

test('a name is resolved once and the request goes to the address that was checked', async () => {
  const resolve = rebinding('169.254.169.254');
  const client = httpHookClient({ timeoutMs: 2000, policy: { allowPrivateNetworks: true }, resolve });
  await client.post({ url: `http://hooks.test:${port}/pinned`, headers: { 'X-Test': 'one' }, body: '{"a":1}' });
  expect(resolve.calls).toBe(1);
  const [call] = hooks.callsTo('/pinned');
  expect(call.body).toBe('{"a":1}');
  // The Host header still names the endpoint's host, as for any virtual host.
  expect(call.headers.host).toBe(`hooks.test:${port}`);
  expect(call.headers['x-test']).toBe('one');
});

test('a name that resolves to loopback is refused unless private networks are allowed', async () => {
  const resolve: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];
  const closed = httpHookClient({ timeoutMs: 2000, policy: { allowPrivateNetworks: false }, resolve });
  const refused = closed.post({ url: `http://innocent.example:${port}/refused`, headers: {} });
  await expect(refused).rejects.toBeInstanceOf(PermanentFailure);
  await expect(refused).rejects.toThrow(/resolves to address 127.0.0.1 is a loopback or private address/);
  expect(hooks.callsTo('/refused')).toEqual([]);
});

test('one internal address among public ones is enough to refuse; link-local is refused always', async () => {
  const mixed: Resolver = async () => [
    { address: '93.184.216.34', family: 4 },
    { address: '10.0.0.7', family: 4 },
  ];
  await expect(
    httpHookClient({ timeoutMs: 2000, policy: { allowPrivateNetworks: false }, resolve: mixed }).post({
      url: 'https://mixed.example/x',
      headers: {},
    }),
  ).rejects.toThrow(/10.0.0.7 is a loopback or private address/);
  const metadata: Resolver = async () => [{ address: '169.254.169.254', family: 4 }];
  await expect(
    httpHookClient({ timeoutMs: 2000, policy: { allowPrivateNetworks: true }, resolve: metadata }).post({
      url: 'http://meta.example/x',
      headers: {},
    }),
  ).rejects.toThrow(/link-local/);
});

test('an unresolvable name, an error status and a hanging endpoint are failed attempts (retried)', async () => {
  const client = httpHookClient({ timeoutMs: 300, policy: { allowPrivateNetworks: true } });
  const unresolvable = client.post({ url: 'http://does-not-exist.invalid/x', headers: {} });
  await expect(unresolvable).rejects.toThrow(/does not resolve/);
  await expect(unresolvable).rejects.not.toBeInstanceOf(PermanentFailure);
  hooks.respond('/error', 503);
  await expect(client.post({ url: `${hooks.url}/error`, headers: {} })).rejects.toThrow(/answered 503/);
  hooks.respond('/slow', 'hang');
  await expect(client.post({ url: `${hooks.url}/slow`, headers: {} })).rejects.toThrow(/no answer within 300 ms$/);
});
