import { ConfigError, loadConfig } from './config';

const STRONG = {
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
  PUBLIC_URL: 'https://medbuddy.example.org',
};

describe('configuration of the security features', () => {
  test('development defaults: key in the database, outbox mail, in-memory rate limits', () => {
    const config = loadConfig({ DATA_DIR: 'memory' });
    expect(config.production).toBe(false);
    expect(config.security).toMatchObject({
      jwtPrivateKeyPem: undefined,
      rateLimitPerMinute: 100,
      authRateLimitPerMinute: 10,
      redisUrl: undefined,
    });
    expect(config.mail.smtpUrl).toBeUndefined();
    expect(config.mail.outboxDir).toMatch(/outbox$/);
  });

  test('production refuses a missing signing key, a weak admin password and plain http', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://x.example' })).toThrow(/JWT_PRIVATE_KEY/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...STRONG, ADMIN_PASSWORD: 'admin123' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...STRONG, ADMIN_PASSWORD: 'changeme' })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', ...STRONG, PUBLIC_URL: 'http://medbuddy.example.org' })).toThrow(/https/);
    const config = loadConfig({ NODE_ENV: 'production', ...STRONG, ADMIN_PASSWORD: 'a properly long admin passphrase' });
    expect(config.security.jwtPrivateKeyPem).toContain('\nabc\n');
  });

  test('CORS origins and REDIS_URL are validated', () => {
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example, https://b.example/' }).security.corsOrigins).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
    expect(() => loadConfig({ CORS_ORIGINS: 'https://a.example/path' })).toThrow(ConfigError);
    expect(() => loadConfig({ REDIS_URL: 'http://x' })).toThrow(ConfigError);
  });
});

describe('configuration of the portals', () => {
  test('both portals by default, from their workspaces dist/ folders, at /patient and /clinician', () => {
    const portals = loadConfig({}).portals;
    expect(portals.map((p) => [p.name, p.mountPath])).toEqual([
      ['patient-portal', '/patient'],
      ['clinician-portal', '/clinician'],
    ]);
    expect(portals[0].distDir).toMatch(/patient-portal[\\/]dist$/);
    expect(portals[1].distDir).toMatch(/clinician-portal[\\/]dist$/);
  });

  test('PATIENT_PORTAL_DIR and CLINICIAN_PORTAL_DIR move the builds; SERVE_PORTALS=false serves none', () => {
    const portals = loadConfig({ PATIENT_PORTAL_DIR: '/srv/patient', CLINICIAN_PORTAL_DIR: '/srv/clinician' }).portals;
    expect(portals.map((p) => p.distDir)).toEqual(['/srv/patient', '/srv/clinician']);
    expect(loadConfig({ SERVE_PORTALS: 'false' }).portals).toEqual([]);
  });
});
