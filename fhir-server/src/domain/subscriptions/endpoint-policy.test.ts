import { endpointProblem } from './endpoint-policy';

const open = { allowedHosts: [], production: false };
const production = { allowedHosts: [], production: true };

test('http(s) only, without credentials', () => {
  expect(endpointProblem('https://hooks.example.org/x', open)).toBeUndefined();
  expect(endpointProblem('http://127.0.0.1:8080/x', open)).toBeUndefined();
  expect(endpointProblem('ftp://hooks.example.org/x', open)).toMatch(/http\(s\)/);
  expect(endpointProblem('not a url', open)).toMatch(/absolute/);
  expect(endpointProblem(undefined, open)).toMatch(/absolute/);
  expect(endpointProblem('https://user:secret@hooks.example.org/', open)).toMatch(/credentials/);
});

test('the allowed hosts, exact or by domain', () => {
  const policy = { allowedHosts: ['hooks.example.org', '*.partner.example'], production: false };
  expect(endpointProblem('https://hooks.example.org/x', policy)).toBeUndefined();
  expect(endpointProblem('https://a.partner.example/x', policy)).toBeUndefined();
  expect(endpointProblem('https://evil.example/x', policy)).toMatch(/SUBSCRIPTION_ALLOWED_HOSTS/);
  expect(endpointProblem('https://hooks.example.org.evil.example/x', policy)).toMatch(/SUBSCRIPTION_ALLOWED_HOSTS/);
});

test('in production no loopback, private or link-local target; link-local never', () => {
  for (const url of [
    'http://localhost/x',
    'http://127.0.0.1/x',
    'http://[::1]/x',
    'http://10.0.0.5/x',
    'http://192.168.1.1/x',
    'http://172.20.0.1/x',
    'http://db.internal/x',
  ]) {
    expect(endpointProblem(url, production)).toMatch(/loopback or private/);
  }
  expect(endpointProblem('https://hooks.example.org/x', production)).toBeUndefined();
  expect(endpointProblem('http://169.254.169.254/latest/meta-data', open)).toMatch(/link-local/);
});
