import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  test('defaults: one process, PGlite in .data', () => {
    const config = loadConfig({});
    expect(config.workers).toBe(1);
    expect(config.database.kind).toBe('pglite');
    expect(config.fhirBaseUrl).toBe('http://localhost:3000/fhir');
  });

  test('WEB_CONCURRENCY sets the number of HTTP worker processes on PostgreSQL', () => {
    const config = loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://db/medbuddy' });
    expect(config.workers).toBe(2);
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://db/medbuddy', poolSize: 16 });
  });

  test('several workers on the embedded single-process PGlite is refused', () => {
    expect(() => loadConfig({ WEB_CONCURRENCY: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ WEB_CONCURRENCY: '0', DATABASE_URL: 'postgres://db/x' })).toThrow(/WEB_CONCURRENCY/);
  });
});
