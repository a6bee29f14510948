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

describe('configuration of the server processes', () => {
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

describe('configuration of notifications', () => {
  test('defaults: a pass every 5 seconds, reminders 24 h, 1 h and 10 min before, UTC', () => {
    expect(loadConfig({}).notifications).toEqual({
      cron: '*/5 * * * * *',
      reminderOffsetsMinutes: [1440, 60, 10],
      defaultTimeZone: 'UTC',
      maxAttempts: 10,
      hookAllowedHosts: [],
      hookTimeoutMs: 10_000,
    });
  });

  test('offsets, zone, hosts and off are read; bad values refuse to start', () => {
    const config = loadConfig({
      NOTIFICATIONS_CRON: 'off',
      REMINDER_OFFSETS: '30m, 2d,30m',
      NOTIFICATION_TIME_ZONE: 'Europe/Paris',
      SUBSCRIPTION_ALLOWED_HOSTS: 'Hooks.Example.org, *.partner.example',
    }).notifications;
    expect(config).toMatchObject({
      cron: undefined,
      reminderOffsetsMinutes: [2880, 30],
      defaultTimeZone: 'Europe/Paris',
      hookAllowedHosts: ['hooks.example.org', '*.partner.example'],
    });
    expect(loadConfig({ REMINDER_OFFSETS: '' }).notifications.reminderOffsetsMinutes).toEqual([]);
    expect(() => loadConfig({ NOTIFICATIONS_CRON: 'every minute' })).toThrow(/NOTIFICATIONS_CRON/);
    expect(() => loadConfig({ REMINDER_OFFSETS: '1 hour' })).toThrow(/REMINDER_OFFSETS/);
    expect(() => loadConfig({ REMINDER_OFFSETS: '0m' })).toThrow(/REMINDER_OFFSETS/);
    expect(() => loadConfig({ NOTIFICATION_TIME_ZONE: 'Mars/Olympus' })).toThrow(/NOTIFICATION_TIME_ZONE/);
    expect(() => loadConfig({ SUBSCRIPTION_TIMEOUT_MS: '5' })).toThrow(/SUBSCRIPTION_TIMEOUT_MS/);
  });
});
