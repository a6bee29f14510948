import { addressProblem, endpointProblem } from './endpoint-policy';

const open = { allowedHosts: [], allowPrivateNetworks: true };
const closed = { allowedHosts: [], allowPrivateNetworks: false };

test('http(s) only, without credentials', () => {
  expect(endpointProblem('https://hooks.example.org/x', open)).toBeUndefined();
  expect(endpointProblem('http://127.0.0.1:8080/x', open)).toBeUndefined();
  expect(endpointProblem('ftp://hooks.example.org/x', open)).toMatch(/http\(s\)/);
  expect(endpointProblem('not a url', open)).toMatch(/absolute/);
  expect(endpointProblem(undefined, open)).toMatch(/absolute/);
  expect(endpointProblem('https://user:secret@hooks.example.org/', open)).toMatch(/credentials/);
});

test('the allowed hosts, exact or by domain', () => {
  const policy = { allowedHosts: ['hooks.example.org', '*.partner.example'], allowPrivateNetworks: true };
  expect(endpointProblem('https://hooks.example.org/x', policy)).toBeUndefined();
  expect(endpointProblem('https://a.partner.example/x', policy)).toBeUndefined();
  expect(endpointProblem('https://evil.example/x', policy)).toMatch(/SUBSCRIPTION_ALLOWED_HOSTS/);
  expect(endpointProblem('https://hooks.example.org.evil.example/x', policy)).toMatch(/SUBSCRIPTION_ALLOWED_HOSTS/);
});

test('without private networks no loopback, private or link-local target; link-local never', () => {
  for (const url of [
    'http://localhost/x',
    'http://127.0.0.1/x',
    'http://[::1]/x',
    'http://10.0.0.5/x',
    'http://192.168.1.1/x',
    'http://172.20.0.1/x',
    'http://db.internal/x',
    'http://[::ffff:10.0.0.1]/x',
  ]) {
    expect(endpointProblem(url, closed)).toMatch(/loopback or private/);
  }
  expect(endpointProblem('https://hooks.example.org/x', closed)).toBeUndefined();
  expect(endpointProblem('http://169.254.169.254/latest/meta-data', open)).toMatch(/link-local/);
  expect(endpointProblem('http://[fe80::1]/x', open)).toMatch(/link-local/);
});

test('resolved addresses: public ones pass, internal ones only when private networks are allowed', () => {
  for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946']) {
    expect(addressProblem(address, closed)).toBeUndefined();
  }
  for (const address of [
    '127.0.0.1',
    '10.1.2.3',
    '172.31.255.255',
    '192.168.0.10',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '::1',
    '::',
    'fd12::1',
    '::ffff:127.0.0.1',
  ]) {
    expect(addressProblem(address, closed)).toMatch(/loopback or private/);
    expect(addressProblem(address, open)).toBeUndefined();
  }
  for (const address of ['169.254.169.254', 'fe80::abcd', '::ffff:169.254.1.1']) {
    expect(addressProblem(address, open)).toMatch(/link-local/);
  }
  expect(addressProblem('172.32.0.1', closed)).toBeUndefined();
});
