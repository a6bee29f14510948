#!/usr/bin/env node
// A SMART Backend Services client's two chores, with Node's own crypto (no packages):
//   node docs/ehr-client.mjs keys                         writes private-key.json and jwks.json (ES384)
//   node docs/ehr-client.mjs assertion <client-id> <token-url>   prints a signed client assertion (5 minutes)
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { Buffer } from 'node:buffer';
import { readFileSync, writeFileSync } from 'node:fs';

const [command, clientId, tokenUrl] = process.argv.slice(2);
const b64 = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

if (command === 'keys') {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const kid = randomUUID();
  writeFileSync('private-key.json', JSON.stringify({ ...privateKey.export({ format: 'jwk' }), kid, alg: 'ES384' }), { mode: 0o600 });
  writeFileSync('jwks.json', JSON.stringify({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'ES384', use: 'sig' }] }));
  console.log(`private-key.json and jwks.json written (kid ${kid})`);
} else if (command === 'assertion' && clientId && tokenUrl) {
  const jwk = JSON.parse(readFileSync('private-key.json', 'utf8'));
  const now = Math.floor(Date.now() / 1000);
  const header = b64({ alg: 'ES384', kid: jwk.kid, typ: 'JWT' });
  const claims = b64({ iss: clientId, sub: clientId, aud: tokenUrl, exp: now + 300, jti: randomUUID() });
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const signature = sign('sha384', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  console.log(`${header}.${claims}.${signature}`);
} else {
  console.error('usage: ehr-client.mjs keys | assertion <client-id> <token-url>');
  process.exit(2);
}
