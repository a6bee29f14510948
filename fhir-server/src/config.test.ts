import { ConfigError, loadConfig } from './config';

const STRONG = {
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nabc\\n-----END PRIVATE KEY-----',
  PUBLIC_URL: 'https://medbuddy.example.org',
  DATABASE_URL: 'postgres://medbuddy:k3Qz-long-secret@postgres:5432/medbuddy',
  TRUST_PROXY: 'true',
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

  test('production refuses embedded PGlite, default database passwords and HTTP without a TLS proxy', () => {
    const { DATABASE_URL: _, ...withoutDatabase } = STRONG;
    expect(() => loadConfig({ NODE_ENV: 'production', ...withoutDatabase })).toThrow(
      'NODE_ENV=production refuses to start: set DATABASE_URL to PostgreSQL; the embedded PGlite database (DATA_DIR) serves one process and has no backups',
    );
    for (const url of ['postgres://medbuddy:medbuddy@db/medbuddy', 'postgres://postgres@db/medbuddy', 'postgres://u:change-me@db/x']) {
      expect(() => loadConfig({ NODE_ENV: 'production', ...STRONG, DATABASE_URL: url })).toThrow(
        /DATABASE_URL has an empty or default password/,
      );
    }
    expect(() => loadConfig({ NODE_ENV: 'production', ...STRONG, TRUST_PROXY: 'false' })).toThrow(/TRUST_PROXY=true/);
    // Outside production the same settings are fine.
    expect(loadConfig({ DATABASE_URL: 'postgres://medbuddy:medbuddy@db/medbuddy' }).database.kind).toBe('postgres');
  });

  test('open CORS (*) is refused in every mode, with the reason', () => {
    expect(() => loadConfig({ CORS_ORIGINS: '*' })).toThrow(/CORS_ORIGINS=\* is refused: any web site could then call the API/);
    expect(() => loadConfig({ NODE_ENV: 'production', ...STRONG, CORS_ORIGINS: 'https://portal.example.org,*' })).toThrow(ConfigError);
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

  const twilio = { VIDEO_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: 'AC1', TWILIO_API_KEY_SID: 'SK1', TWILIO_API_KEY_SECRET: 'secret' };

  test('WEB_CONCURRENCY sets the number of HTTP worker processes on PostgreSQL, with either video provider', () => {
    const config = loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://db/medbuddy', ...twilio });
    expect(config.workers).toBe(2);
    expect(loadConfig({ WEB_CONCURRENCY: '2', DATABASE_URL: 'postgres://db/x' })).toMatchObject({
      workers: 2,
      video: { provider: 'webrtc' },
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://db/medbuddy', poolSize: 16, statementTimeoutMs: 30_000 });
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

describe('configuration of video consultations', () => {
  test('defaults: built-in WebRTC without STUN/TURN, check-in 15 minutes before, no-show 15 minutes after the start', () => {
    expect(loadConfig({}).video).toEqual({
      provider: 'webrtc',
      checkInMinutes: 15,
      noShowGraceMinutes: 15,
      noShowJobCron: '* * * * *',
      stunUrls: [],
      turnUrls: [],
      turnSecret: undefined,
      twilio: undefined,
    });
  });

  test('STUN/TURN URLs are checked, and TURN needs its shared secret', () => {
    const video = loadConfig({
      VIDEO_STUN_URLS: 'stun:turn.example.org:3478',
      VIDEO_TURN_URLS: 'turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349',
      VIDEO_TURN_SECRET: 's3cret',
    }).video;
    expect(video.stunUrls).toEqual(['stun:turn.example.org:3478']);
    expect(video.turnUrls).toEqual(['turn:turn.example.org:3478?transport=udp', 'turns:turn.example.org:5349']);
    expect(() => loadConfig({ VIDEO_TURN_URLS: 'turn:turn.example.org' })).toThrow(/VIDEO_TURN_SECRET/);
    expect(() => loadConfig({ VIDEO_STUN_URLS: 'http://x' })).toThrow(/VIDEO_STUN_URLS/);
    expect(() => loadConfig({ VIDEO_CHECKIN_MINUTES: '-1' })).toThrow(/VIDEO_CHECKIN_MINUTES/);
    expect(loadConfig({ NOSHOW_JOB_CRON: 'off' }).video.noShowJobCron).toBeUndefined();
    expect(() => loadConfig({ NOSHOW_JOB_CRON: 'sometimes' })).toThrow(/NOSHOW_JOB_CRON/);
  });

  test('VIDEO_PROVIDER=twilio needs the account and API key', () => {
    expect(() => loadConfig({ VIDEO_PROVIDER: 'zoom' })).toThrow(/VIDEO_PROVIDER/);
    expect(() => loadConfig({ VIDEO_PROVIDER: 'twilio' })).toThrow(/TWILIO_ACCOUNT_SID/);
    const video = loadConfig({
      VIDEO_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: 'AC123',
      TWILIO_API_KEY_SID: 'SK123',
      TWILIO_API_KEY_SECRET: 'secret',
      TWILIO_MANAGE_ROOMS: 'true',
    }).video;
    expect(video.twilio).toEqual({ accountSid: 'AC123', apiKeySid: 'SK123', apiKeySecret: 'secret', manageRooms: true });
  });
});

describe('configuration of document storage', () => {
  test('defaults: files under DATA_DIR/blobs, 25 MB, PDF/PNG/JPEG/DICOM, one-hour URLs, objects kept', () => {
    const documents = loadConfig({ DATA_DIR: '/srv/medbuddy' }).documents;
    expect(documents).toEqual({
      blobStore: { kind: 'filesystem', root: '/srv/medbuddy/blobs' },
      maxBytes: 25 * 1024 * 1024,
      contentTypes: ['application/pdf', 'image/png', 'image/jpeg', 'application/dicom'],
      signedUrlSeconds: 3600,
      signedUrlSecret: undefined,
      retention: 'keep',
    });
  });

  test('S3_ENDPOINT selects MinIO/S3, which needs its keys', () => {
    const s3 = { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's', S3_SSE: 'true' };
    expect(loadConfig(s3).documents.blobStore).toEqual({
      kind: 's3',
      endpoint: 'http://minio:9000',
      bucket: 'medbuddy-documents',
      accessKey: 'k',
      secretKey: 's',
      region: 'us-east-1',
      serverSideEncryption: true,
    });
    expect(() => loadConfig({ S3_ENDPOINT: 'http://minio:9000' })).toThrow(/S3_ACCESS_KEY/);
    expect(() => loadConfig({ ...s3, S3_ENDPOINT: 'minio:9000' })).toThrow(/S3_ENDPOINT/);
  });

  test('unknown content types, a short URL secret and an unknown retention are refused', () => {
    expect(() => loadConfig({ DOCUMENT_CONTENT_TYPES: 'application/pdf,text/html' })).toThrow(/text\/html/);
    expect(() => loadConfig({ SIGNED_URL_SECRET: 'short' })).toThrow(/SIGNED_URL_SECRET/);
    expect(() => loadConfig({ DOCUMENT_RETENTION: 'destroy' })).toThrow(/DOCUMENT_RETENTION/);
    expect(() => loadConfig({ DOCUMENT_MAX_BYTES: '0' })).toThrow(/DOCUMENT_MAX_BYTES/);
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
      bindingTokenSeconds: 60,
      hookPrivateNetworks: true,
    });
  });

  test('private networks for hooks: allowed by default, refused in production, or as configured', () => {
    expect(loadConfig({ SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'false' }).notifications.hookPrivateNetworks).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', ...STRONG }).notifications.hookPrivateNetworks).toBe(false);
    expect(
      loadConfig({ NODE_ENV: 'production', ...STRONG, SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'true' }).notifications.hookPrivateNetworks,
    ).toBe(true);
    expect(loadConfig({ SUBSCRIPTION_BINDING_TOKEN_SECONDS: '120' }).notifications.bindingTokenSeconds).toBe(120);
    expect(() => loadConfig({ SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS: 'yes' })).toThrow(/SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS/);
    expect(() => loadConfig({ SUBSCRIPTION_BINDING_TOKEN_SECONDS: '1' })).toThrow(/SUBSCRIPTION_BINDING_TOKEN_SECONDS/);
  });

  test('Web Push: both VAPID keys or none; the subject defaults to the sender address', () => {
    const keys = { VAPID_PUBLIC_KEY: `B${'a'.repeat(86)}`, VAPID_PRIVATE_KEY: 'k'.repeat(43) };
    expect(loadConfig({}).notifications.webPush).toBeUndefined();
    expect(loadConfig(keys).notifications.webPush).toEqual({
      subject: 'mailto:no-reply@medbuddy.local',
      publicKey: keys.VAPID_PUBLIC_KEY,
      privateKey: keys.VAPID_PRIVATE_KEY,
    });
    expect(loadConfig({ ...keys, VAPID_SUBJECT: 'https://medbuddy.example.org' }).notifications.webPush?.subject).toBe(
      'https://medbuddy.example.org',
    );
    expect(() => loadConfig({ VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY })).toThrow(/VAPID_PRIVATE_KEY/);
    expect(() => loadConfig({ ...keys, VAPID_PRIVATE_KEY: 'short' })).toThrow(/VAPID/);
    expect(() => loadConfig({ ...keys, VAPID_SUBJECT: 'http://plain.example' })).toThrow(/VAPID_SUBJECT/);
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
