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
