import { BindingTokens } from './binding-tokens';

const principal = {
  kind: 'user',
  accountId: 'a1',
  role: 'patient',
  profile: 'Patient/1',
  clientId: 'portal',
  scope: 'user/*.cruds',
} as const;
const now = new Date('2026-12-20T10:00:00Z');

test('a token binds its subscription, as its principal, until it expires', () => {
  const tokens = new BindingTokens('k'.repeat(32), 60);
  const { token, expires } = tokens.issue('sub-1', principal, now);
  expect(expires.toISOString()).toBe('2026-12-20T10:01:00.000Z');
  expect(tokens.verify(token, new Date(now.getTime() + 59_000))).toEqual({
    subscriptionId: 'sub-1',
    principal,
    expires: expires.getTime() / 1000,
  });
  expect(tokens.verify(token, new Date(now.getTime() + 60_000))).toBeUndefined();
});

test('a changed, truncated or foreign token is refused', () => {
  const tokens = new BindingTokens('k'.repeat(32), 60);
  const { token } = tokens.issue('sub-1', principal, now);
  const [payload, mac] = token.split('.');
  const forged = Buffer.from(JSON.stringify({ s: 'sub-2', p: principal, e: 9_999_999_999 })).toString('base64url');
  expect(tokens.verify(`${forged}.${mac}`, now)).toBeUndefined();
  expect(tokens.verify(`${payload}.${mac.slice(0, -1)}`, now)).toBeUndefined();
  expect(tokens.verify(payload, now)).toBeUndefined();
  expect(tokens.verify(`${token}.extra`, now)).toBeUndefined();
  expect(new BindingTokens('another key, as long as the first', 60).verify(token, now)).toBeUndefined();
});
