import type { CapabilityStatement } from '@medplum/fhirtypes';
import { startTestServer, type TestServer } from '../setup/test-server';

/** The API documentation at /api: OpenAPI generated from the CapabilityStatement, and the console. */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface OpenApi {
  openapi: string;
  servers: { url: string }[];
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
}

test('/api/openapi.json lists what the CapabilityStatement lists, and nothing the server lacks', async () => {
  const res = await server.anonymous().get('/api/openapi.json').expect(200);
  expect(res.headers['content-type']).toContain('application/json');
  const doc = JSON.parse(res.text) as OpenApi;
  expect(doc.openapi).toBe('3.0.3');
  expect(doc.servers).toEqual([{ url: 'http://medbuddy.test/fhir' }]);
  expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  const statement = JSON.parse((await server.anonymous().get('/fhir/metadata').expect(200)).text) as CapabilityStatement;
  for (const resource of statement.rest?.[0].resource ?? []) {
    expect(Object.keys(doc.paths[`/${resource.type}/{id}`]).sort()).toEqual(['delete', 'get', 'patch', 'put']);
    const searchParams = doc.paths[`/${resource.type}`].get.parameters?.map((p) => p.name).sort();
    expect(searchParams).toEqual((resource.searchParam ?? []).map((p) => p.name).sort());
  }
  for (const path of [
    '/$export',
    '/Patient/$export',
    '/Group/{id}/$export',
    '/DocumentReference/{id}/$download-url',
    '/ValueSet/$expand',
  ]) {
    expect(doc.paths[path]?.get).toBeDefined();
  }
  expect(doc.paths['/SearchParameter/{id}/$reindex'].get).toBeUndefined(); // changes data: POST only
  expect(doc.paths['/DocumentReference/$upload'].post).toBeDefined();
  expect(doc.paths['/_export/{job}'].delete).toBeDefined();
  expect(doc.paths['/$import'].post).toBeDefined();
  expect(doc.paths['/$import'].get).toBeUndefined(); // changes data: POST only
  expect(doc.paths['/_import/{job}'].get).toBeDefined();
  expect(doc.paths['/Observation/$export']).toBeUndefined();
});

test('/api is a request console (swagger-ui-dist) whose files come from this server only', async () => {
  const page = await server.anonymous().get('/api').expect(200);
  expect(page.headers['content-type']).toContain('text/html');
  expect(page.text).toContain('/api/swagger-ui-bundle.js');
  expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  const script = await server.anonymous().get('/api/console.js').expect(200);
  expect(script.text).toContain("url: '/api/openapi.json'");
  const bundle = await server.anonymous().get('/api/swagger-ui-bundle.js').expect(200);
  expect(bundle.headers['content-type']).toContain('javascript');
  expect(Number(bundle.headers['content-length'] ?? bundle.text.length)).toBeGreaterThan(100_000);
  await server.anonymous().get('/api/swagger-ui.css').expect(200);
  await server.anonymous().get('/api/../package.json').expect(404);
  await server.anonymous().get('/api/index.js').expect(404);
});
