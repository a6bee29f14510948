import os from 'node:os';
import path from 'node:path';
import nodeCron from 'node-cron';
import { isWeakPassword } from './auth/password-policy';

/** Everything the server reads from its environment, typed and validated once at start-up. */
export interface Config {
  readonly port: number;
  /** Path prefix of the FHIR endpoint, e.g. `/fhir`. */
  readonly fhirBasePath: string;
  /** Public base URL used in Location headers and Bundle links, e.g. `http://localhost:3000/fhir`. */
  readonly fhirBaseUrl: string;
  readonly database: DatabaseConfig;
  readonly maxBodyBytes: number;
  readonly maxJsonDepth: number;
  readonly logRequests: boolean;
  /** Trust X-Forwarded-* headers (behind a load balancer). */
  readonly trustProxy: boolean;
  /** HTTP worker processes sharing the port (node:cluster); 1 = serve from the main process. */
  readonly workers: number;
  /** Folder of the MedBuddy FHIR package (SearchParameter-*.json are loaded); default: the repository's profiles/. */
  readonly profilesDir?: string;
  /** Public base URL of the server, without trailing slash (`PUBLIC_URL`). */
  readonly publicUrl: string;
  /** `NODE_ENV=production`: weak or default secrets refuse to start. */
  readonly production: boolean;
  readonly security: SecurityConfig;
  readonly mail: MailConfig;
  readonly notifications: NotificationConfig;
  /** The built web portals served next to the API (none when `SERVE_PORTALS=false`). */
  readonly portals: readonly PortalConfig[];
  readonly scheduling: SchedulingConfig;
  readonly video: VideoConfig;
  readonly documents: DocumentsConfig;
}

export interface SchedulingConfig {
  /** Days ahead slots are materialised for (`SLOT_HORIZON_DAYS`). */
  readonly horizonDays: number;
  /** Patients may not cancel or reschedule less than this before the start (`CANCEL_WINDOW_MINUTES`). */
  readonly cancelWindowMinutes: number;
  /** How long `Appointment/$hold` keeps a slot (`SLOT_HOLD_MINUTES`). */
  readonly holdMinutes: number;
  /** node-cron expression of the slot horizon job (`SLOT_JOB_CRON`); undefined when `off`. */
  readonly jobCron?: string;
}

/** Video consultations: waiting-room timing and the video provider. */
export interface VideoConfig {
  /** `VIDEO_PROVIDER`: `webrtc` (built-in signalling, the default) or `twilio`. */
  readonly provider: 'webrtc' | 'twilio';
  /** Minutes before the start from which the patient may check in (`VIDEO_CHECKIN_MINUTES`). */
  readonly checkInMinutes: number;
  /** Minutes after the start after which a booked appointment without check-in is a no-show (`VIDEO_NOSHOW_GRACE_MINUTES`). */
  readonly noShowGraceMinutes: number;
  /** node-cron expression of the no-show job (`NOSHOW_JOB_CRON`, default every minute); undefined when `off`. */
  readonly noShowJobCron?: string;
  /** STUN server URLs for the built-in mode (`VIDEO_STUN_URLS`, comma-separated; none: LAN only). */
  readonly stunUrls: readonly string[];
  /** TURN server URLs (`VIDEO_TURN_URLS`) and the coturn `static-auth-secret` they share (`VIDEO_TURN_SECRET`). */
  readonly turnUrls: readonly string[];
  readonly turnSecret?: string;
  /** Twilio Video: account and API key (`TWILIO_ACCOUNT_SID`, `TWILIO_API_KEY_SID`, `TWILIO_API_KEY_SECRET`). */
  readonly twilio?: TwilioConfig;
}

export interface TwilioConfig {
  readonly accountSid: string;
  readonly apiKeySid: string;
  readonly apiKeySecret: string;
  /** `TWILIO_MANAGE_ROOMS=true`: create each room before the first token and complete it when the consultation ends (REST API). */
  readonly manageRooms: boolean;
}

/** Uploaded documents (Binary contents): where they are kept and what is accepted. */
export interface DocumentsConfig {
  readonly blobStore: BlobStoreConfig;
  /** Largest upload in bytes (`DOCUMENT_MAX_BYTES`). */
  readonly maxBytes: number;
  /** Accepted media types, each checked against the file's first bytes (`DOCUMENT_CONTENT_TYPES`). */
  readonly contentTypes: readonly string[];
  /** Lifetime of a signed download URL (`SIGNED_URL_TTL_SECONDS`). */
  readonly signedUrlSeconds: number;
  /** HMAC key of the server's signed URLs (`SIGNED_URL_SECRET`); unset: one derived from the token signing key. */
  readonly signedUrlSecret?: string;
  /** `keep`: a deleted Binary's object stays where it is; `move`: it moves under `retained/` (`DOCUMENT_RETENTION`). */
  readonly retention: 'keep' | 'move';
}

export type BlobStoreConfig =
  | { readonly kind: 'filesystem'; readonly root: string }
  | {
      readonly kind: 's3';
      readonly endpoint: string;
      readonly bucket: string;
      readonly accessKey: string;
      readonly secretKey: string;
      readonly region: string;
      readonly serverSideEncryption: boolean;
    };

/** Media types the upload check recognises by their first bytes (domain/documents/content-sniffer.ts). */
export const KNOWN_DOCUMENT_TYPES = ['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/tiff', 'application/dicom'] as const;

export interface SecurityConfig {
  /** PKCS#8 PEM of the EC P-256 token signing key (`JWT_PRIVATE_KEY`); else one kept in the database. */
  readonly jwtPrivateKeyPem?: string;
  /** First-start administrator (`ADMIN_EMAIL`, `ADMIN_PASSWORD`). */
  readonly adminEmail?: string;
  readonly adminPassword?: string;
  /** Browser origins allowed by CORS (`CORS_ORIGINS`, comma-separated). */
  readonly corsOrigins: readonly string[];
  /** Requests per minute per principal or IP (`RATE_LIMIT_PER_MINUTE`). */
  readonly rateLimitPerMinute: number;
  /** Login, registration and password-reset attempts per minute per IP (`AUTH_RATE_LIMIT_PER_MINUTE`). */
  readonly authRateLimitPerMinute: number;
  /** Rate-limit counters and video signalling rooms shared by several instances (`REDIS_URL`); in memory without it. */
  readonly redisUrl?: string;
}

export interface MailConfig {
  /** `SMTP_URL` (smtp://user:pass@host:587); without it, messages go to `outboxDir` as .eml files. */
  readonly smtpUrl?: string;
  /** Sender address (`MAIL_FROM`). */
  readonly from: string;
  readonly outboxDir: string;
}

export interface NotificationConfig {
  /** node-cron schedule of the notification pass in this process (`NOTIFICATIONS_CRON`); undefined: `off`. */
  readonly cron?: string;
  /** Minutes before a consultation at which reminders go out (`REMINDER_OFFSETS`, e.g. `24h,1h,10m`). */
  readonly reminderOffsetsMinutes: readonly number[];
  /** Time zone of e-mails to people whose resource carries none (`NOTIFICATION_TIME_ZONE`). */
  readonly defaultTimeZone: string;
  /** Attempts before a notification is dead-lettered (`NOTIFICATION_MAX_ATTEMPTS`). */
  readonly maxAttempts: number;
  /** Hosts a rest-hook Subscription may post to (`SUBSCRIPTION_ALLOWED_HOSTS`, comma-separated); empty: any public host. */
  readonly hookAllowedHosts: readonly string[];
  /** Bound on one rest-hook request (`SUBSCRIPTION_TIMEOUT_MS`). */
  readonly hookTimeoutMs: number;
  /**
   * Rest-hooks and push endpoints may reach loopback and private addresses
   * (`SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS`; default true, false with NODE_ENV=production).
   */
  readonly hookPrivateNetworks: boolean;
  /** Lifetime of a WebSocket binding token (`SUBSCRIPTION_BINDING_TOKEN_SECONDS`). */
  readonly bindingTokenSeconds: number;
  /** VAPID keys of Web Push (`VAPID_PUBLIC_KEY`, `VAPID_PRIVATE_KEY`, `VAPID_SUBJECT`); undefined: no Web Push. */
  readonly webPush?: { readonly subject: string; readonly publicKey: string; readonly privateKey: string };
}

/** A built Angular portal served at `mountPath` + `/`. */
export interface PortalConfig {
  /** The npm workspace that builds it: `patient-portal`, `clinician-portal`. */
  readonly name: string;
  /** `/patient`, `/clinician`: fixed, as the registered OAuth2 redirect URIs use them. */
  readonly mountPath: string;
  /** The build output (`PATIENT_PORTAL_DIR`, `CLINICIAN_PORTAL_DIR`; default the workspace's `dist/`). */
  readonly distDir: string;
}

export type DatabaseConfig =
  | {
      readonly kind: 'postgres';
      readonly url: string;
      readonly poolSize: number;
      /** A statement running longer is cancelled (0: never); see DATABASE_STATEMENT_TIMEOUT_MS. */
      readonly statementTimeoutMs: number;
    }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined };

export class ConfigError extends Error {}

const DEFAULT_MAIL_FROM = 'MedBuddy <no-reply@medbuddy.local>';

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const port = readInteger(env, 'PORT', 3000, 0, 65535);
  const fhirBasePath = normalizeBasePath(env.FHIR_BASE_PATH ?? '/fhir');
  const publicUrl = (env.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const production = env.NODE_ENV === 'production';
  const security = readSecurity(env);
  const dataDir = env.DATA_DIR ?? '.data';
  const database = readDatabase(env);
  if (production) {
    refuseUnsafeProductionSettings(security, database, env);
  }
  const workers = readInteger(env, 'WEB_CONCURRENCY', 1, 1, 64);
  if (workers > 1 && database.kind !== 'postgres') {
    throw new ConfigError('WEB_CONCURRENCY above 1 needs DATABASE_URL: the embedded PGlite database belongs to one process');
  }
  const video = readVideo(env);
  return {
    port,
    fhirBasePath,
    fhirBaseUrl: publicUrl + fhirBasePath,
    database,
    maxBodyBytes: readInteger(env, 'MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxJsonDepth: readInteger(env, 'MAX_JSON_DEPTH', 64, 8, 1000),
    logRequests: env.LOG_REQUESTS !== 'false',
    trustProxy: env.TRUST_PROXY === 'true',
    workers,
    profilesDir: env.PROFILES_DIR ? path.resolve(env.PROFILES_DIR) : undefined,
    publicUrl,
    production,
    security,
    mail: {
      smtpUrl: env.SMTP_URL || undefined,
      from: env.MAIL_FROM ?? DEFAULT_MAIL_FROM,
      outboxDir: path.resolve(dataDir === 'memory' ? path.join(os.tmpdir(), 'medbuddy') : dataDir, 'outbox'),
    },
    notifications: readNotifications(env, production, env.MAIL_FROM ?? DEFAULT_MAIL_FROM),
    portals: readPortals(env),
    scheduling: {
      horizonDays: readInteger(env, 'SLOT_HORIZON_DAYS', 56, 1, 366),
      cancelWindowMinutes: readInteger(env, 'CANCEL_WINDOW_MINUTES', 60, 0, 60 * 24 * 14),
      holdMinutes: readInteger(env, 'SLOT_HOLD_MINUTES', 5, 1, 120),
      jobCron: readCron(env.SLOT_JOB_CRON, 'SLOT_JOB_CRON', '*/15 * * * *'),
    },
    video,
    documents: readDocuments(env, dataDir),
  };
}

function readDocuments(env: Env, dataDir: string): DocumentsConfig {
  const contentTypes = (env.DOCUMENT_CONTENT_TYPES ?? 'application/pdf,image/png,image/jpeg,application/dicom')
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);
  for (const type of contentTypes) {
    if (!(KNOWN_DOCUMENT_TYPES as readonly string[]).includes(type)) {
      throw new ConfigError(`DOCUMENT_CONTENT_TYPES: "${type}" is not one of ${KNOWN_DOCUMENT_TYPES.join(', ')}`);
    }
  }
  const retention = env.DOCUMENT_RETENTION ?? 'keep';
  if (retention !== 'keep' && retention !== 'move') {
    throw new ConfigError('DOCUMENT_RETENTION must be keep or move');
  }
  const signedUrlSecret = env.SIGNED_URL_SECRET || undefined;
  if (signedUrlSecret && signedUrlSecret.length < 32) {
    throw new ConfigError('SIGNED_URL_SECRET must have at least 32 characters');
  }
  return {
    blobStore: readBlobStore(env, dataDir),
    maxBytes: readInteger(env, 'DOCUMENT_MAX_BYTES', 25 * 1024 * 1024, 1, 5 * 1024 * 1024 * 1024),
    contentTypes,
    signedUrlSeconds: readInteger(env, 'SIGNED_URL_TTL_SECONDS', 3600, 1, 7 * 24 * 3600),
    signedUrlSecret,
    retention,
  };
}

function readBlobStore(env: Env, dataDir: string): BlobStoreConfig {
  if (!env.S3_ENDPOINT) {
    return { kind: 'filesystem', root: path.resolve(dataDir === 'memory' ? path.join(os.tmpdir(), 'medbuddy') : dataDir, 'blobs') };
  }
  if (!/^https?:\/\/[^/\s]+\/?$/.test(env.S3_ENDPOINT)) {
    throw new ConfigError('S3_ENDPOINT must be an http(s)://host:port URL');
  }
  if (!env.S3_ACCESS_KEY || !env.S3_SECRET_KEY) {
    throw new ConfigError('S3_ENDPOINT needs S3_ACCESS_KEY and S3_SECRET_KEY');
  }
  return {
    kind: 's3',
    endpoint: env.S3_ENDPOINT,
    bucket: env.S3_BUCKET ?? 'medbuddy-documents',
    accessKey: env.S3_ACCESS_KEY,
    secretKey: env.S3_SECRET_KEY,
    region: env.S3_REGION ?? 'us-east-1',
    serverSideEncryption: env.S3_SSE === 'true',
  };
}

function readVideo(env: Env): VideoConfig {
  const provider = env.VIDEO_PROVIDER || 'webrtc';
  if (provider !== 'webrtc' && provider !== 'twilio') {
    throw new ConfigError(`VIDEO_PROVIDER must be webrtc or twilio, got "${provider}"`);
  }
  const urls = (value: string | undefined, scheme: RegExp, name: string): string[] => {
    const list = (value ?? '')
      .split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    for (const url of list) {
      if (!scheme.test(url)) {
        throw new ConfigError(`${name} entry "${url}" must be a ${name.includes('STUN') ? 'stun:' : 'turn: or turns:'} URL`);
      }
    }
    return list;
  };
  const turnUrls = urls(env.VIDEO_TURN_URLS, /^turns?:\S+$/, 'VIDEO_TURN_URLS');
  const turnSecret = env.VIDEO_TURN_SECRET || undefined;
  if (turnUrls.length > 0 && !turnSecret) {
    throw new ConfigError("VIDEO_TURN_URLS needs VIDEO_TURN_SECRET (the TURN server's static-auth-secret)");
  }
  const twilioSettings = [env.TWILIO_ACCOUNT_SID, env.TWILIO_API_KEY_SID, env.TWILIO_API_KEY_SECRET];
  const twilio = twilioSettings.every(Boolean)
    ? {
        accountSid: env.TWILIO_ACCOUNT_SID as string,
        apiKeySid: env.TWILIO_API_KEY_SID as string,
        apiKeySecret: env.TWILIO_API_KEY_SECRET as string,
        manageRooms: env.TWILIO_MANAGE_ROOMS === 'true',
      }
    : undefined;
  if (provider === 'twilio' && !twilio) {
    throw new ConfigError('VIDEO_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET');
  }
  return {
    provider,
    checkInMinutes: readInteger(env, 'VIDEO_CHECKIN_MINUTES', 15, 0, 24 * 60),
    noShowGraceMinutes: readInteger(env, 'VIDEO_NOSHOW_GRACE_MINUTES', 15, 1, 24 * 60),
    noShowJobCron: readCron(env.NOSHOW_JOB_CRON, 'NOSHOW_JOB_CRON', '* * * * *'),
    stunUrls: urls(env.VIDEO_STUN_URLS, /^stuns?:\S+$/, 'VIDEO_STUN_URLS'),
    turnUrls,
    turnSecret,
    twilio,
  };
}

/** A five- or six-field cron expression, or `off`; `fallback` when unset. */
function readCron(value: string | undefined, name: string, fallback: string): string | undefined {
  if (value === 'off') {
    return undefined;
  }
  const cron = value?.trim() || fallback;
  if (!nodeCron.validate(cron)) {
    throw new ConfigError(`${name} "${value}" is not a cron expression (five or six fields) or "off"`);
  }
  return cron;
}

function readNotifications(env: Env, production: boolean, mailFrom: string): NotificationConfig {
  const schedule = env.NOTIFICATIONS_CRON?.trim() || '*/5 * * * * *';
  if (schedule !== 'off' && !nodeCron.validate(schedule)) {
    throw new ConfigError(`NOTIFICATIONS_CRON "${schedule}" is not a cron expression (or off)`);
  }
  const defaultTimeZone = env.NOTIFICATION_TIME_ZONE?.trim() || 'UTC';
  try {
    new Intl.DateTimeFormat('en', { timeZone: defaultTimeZone });
  } catch {
    throw new ConfigError(`NOTIFICATION_TIME_ZONE "${defaultTimeZone}" is not an IANA time zone`);
  }
  return {
    cron: schedule === 'off' ? undefined : schedule,
    reminderOffsetsMinutes: readOffsets(env.REMINDER_OFFSETS ?? '24h,1h,10m'),
    defaultTimeZone,
    maxAttempts: readInteger(env, 'NOTIFICATION_MAX_ATTEMPTS', 10, 1, 100),
    hookAllowedHosts: (env.SUBSCRIPTION_ALLOWED_HOSTS ?? '')
      .split(',')
      .map((h) => h.trim().toLowerCase())
      .filter(Boolean),
    hookTimeoutMs: readInteger(env, 'SUBSCRIPTION_TIMEOUT_MS', 10_000, 100, 120_000),
    bindingTokenSeconds: readInteger(env, 'SUBSCRIPTION_BINDING_TOKEN_SECONDS', 60, 5, 3600),
    hookPrivateNetworks: readFlag(env, 'SUBSCRIPTION_ALLOW_PRIVATE_NETWORKS', !production),
    webPush: readVapid(env, mailFrom),
  };
}

/** Both VAPID keys or neither (`npx web-push generate-vapid-keys`); the subject defaults to MAIL_FROM's address. */
function readVapid(env: Env, mailFrom: string): NotificationConfig['webPush'] {
  const publicKey = env.VAPID_PUBLIC_KEY?.trim();
  const privateKey = env.VAPID_PRIVATE_KEY?.trim();
  if (!publicKey && !privateKey) {
    return undefined;
  }
  if (!publicKey || !/^[A-Za-z0-9_-]{87}$/.test(publicKey) || !privateKey || !/^[A-Za-z0-9_-]{43}$/.test(privateKey)) {
    throw new ConfigError(
      'VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY must both be set, as base64url P-256 keys (web-push generate-vapid-keys)',
    );
  }
  const subject = env.VAPID_SUBJECT?.trim() || `mailto:${/<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim()}`;
  if (!/^(mailto:[^\s@]+@[^\s@]+|https:\/\/\S+)$/.test(subject)) {
    throw new ConfigError(`VAPID_SUBJECT "${subject.slice(0, 60)}" must be a mailto: address or an https: URL`);
  }
  return { subject, publicKey, privateKey };
}

/** `true` or `false`, else the fallback when unset. */
function readFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim();
  if (!raw) {
    return fallback;
  }
  if (raw !== 'true' && raw !== 'false') {
    throw new ConfigError(`${name} must be true or false, not "${raw.slice(0, 20)}"`);
  }
  return raw === 'true';
}

/** `24h,1h,10m` -> [1440, 60, 10]; an empty value turns reminders off. */
function readOffsets(raw: string): number[] {
  const offsets: number[] = [];
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(\d{1,5})([mhd])$/.exec(part);
    const minutes = match ? Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'] : 0;
    if (minutes < 1 || minutes > 60 * 24 * 60) {
      throw new ConfigError(`REMINDER_OFFSETS entry "${part}" must be minutes, hours or days such as 10m, 1h, 2d (up to 60 days)`);
    }
    offsets.push(minutes);
  }
  return [...new Set(offsets)].sort((a, b) => b - a);
}

/** The repository root, seen from src/ or dist/ of fhir-server. */
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

function readPortals(env: Env): PortalConfig[] {
  if (env.SERVE_PORTALS === 'false') {
    return [];
  }
  const portal = (name: string, mountPath: string, variable: string): PortalConfig => ({
    name,
    mountPath,
    distDir: path.resolve(env[variable] || path.join(REPOSITORY_ROOT, name, 'dist')),
  });
  return [portal('patient-portal', '/patient', 'PATIENT_PORTAL_DIR'), portal('clinician-portal', '/clinician', 'CLINICIAN_PORTAL_DIR')];
}

function readSecurity(env: Env): SecurityConfig {
  const corsOrigins = (env.CORS_ORIGINS ?? '')
    .split(',')
    .map((o) => o.trim().replace(/\/+$/, ''))
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (origin === '*' || origin === 'null') {
      throw new ConfigError(
        `CORS_ORIGINS=${origin} is refused: any web site could then call the API in a signed-in user's browser; list the portal origins (https://portal.example.org)`,
      );
    }
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      throw new ConfigError(`CORS_ORIGINS entry "${origin}" must be an origin such as https://portal.example.org`);
    }
  }
  if (env.REDIS_URL && !/^rediss?:\/\//.test(env.REDIS_URL)) {
    throw new ConfigError('REDIS_URL must be a redis:// or rediss:// URL');
  }
  return {
    jwtPrivateKeyPem: env.JWT_PRIVATE_KEY?.replace(/\\n/g, '\n') || undefined,
    adminEmail: env.ADMIN_EMAIL?.trim().toLowerCase() || undefined,
    adminPassword: env.ADMIN_PASSWORD || undefined,
    corsOrigins,
    rateLimitPerMinute: readInteger(env, 'RATE_LIMIT_PER_MINUTE', 100, 1, 10_000_000),
    authRateLimitPerMinute: readInteger(env, 'AUTH_RATE_LIMIT_PER_MINUTE', 10, 1, 10_000_000),
    redisUrl: env.REDIS_URL || undefined,
  };
}

/** Passwords that ship in examples (docker-compose.yml, .env.example, tutorials). */
const DEFAULT_DATABASE_PASSWORDS = new Set(['', 'medbuddy', 'postgres', 'password', 'changeme', 'change-me', 'secret']);

/**
 * NODE_ENV=production refuses what is fine on a laptop and unsafe on a server: default or weak
 * secrets, plain HTTP without a TLS-terminating proxy, and the embedded single-process PGlite.
 * Each message says what to set instead.
 */
function refuseUnsafeProductionSettings(security: SecurityConfig, database: DatabaseConfig, env: Env): void {
  const refuse = (message: string): never => {
    throw new ConfigError(`NODE_ENV=production refuses to start: ${message}`);
  };
  if (!security.jwtPrivateKeyPem) {
    refuse('set JWT_PRIVATE_KEY (PKCS#8 PEM of an EC P-256 key); a key generated into the database is for development');
  }
  if (security.adminPassword && isWeakPassword(security.adminPassword)) {
    refuse('ADMIN_PASSWORD is weak or a default (use 12+ characters, not a common password)');
  }
  if (database.kind !== 'postgres') {
    refuse('set DATABASE_URL to PostgreSQL; the embedded PGlite database (DATA_DIR) serves one process and has no backups');
  } else if (DEFAULT_DATABASE_PASSWORDS.has(decodeURIComponent(new URL(database.url).password))) {
    refuse('DATABASE_URL has an empty or default password (e.g. the example POSTGRES_PASSWORD); set a secret one');
  }
  if (!env.PUBLIC_URL?.startsWith('https://')) {
    refuse('PUBLIC_URL must be the https:// address users reach the server at');
  }
  if (env.TRUST_PROXY !== 'true') {
    refuse(
      'the server speaks plain HTTP, so TLS must end at a reverse proxy: set TRUST_PROXY=true (requests without X-Forwarded-Proto: https are then refused)',
    );
  }
}

function readDatabase(env: Env): DatabaseConfig {
  if (env.DATABASE_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.DATABASE_URL)) {
      throw new ConfigError('DATABASE_URL must be a postgres:// URL');
    }
    return {
      kind: 'postgres',
      url: env.DATABASE_URL,
      poolSize: readInteger(env, 'DATABASE_POOL_SIZE', 16, 1, 500),
      statementTimeoutMs: readInteger(env, 'DATABASE_STATEMENT_TIMEOUT_MS', 30_000, 0, 24 * 3600_000),
    };
  }
  const dataDir = env.DATA_DIR ?? '.data';
  // DATA_DIR=memory keeps the embedded database in memory (tests, demos).
  return { kind: 'pglite', dataDir: dataDir === 'memory' ? undefined : path.resolve(dataDir, 'pglite') };
}

function normalizeBasePath(value: string): string {
  const trimmed = '/' + value.replace(/^\/+|\/+$/g, '');
  if (!/^\/[A-Za-z0-9/_-]*$/.test(trimmed)) {
    throw new ConfigError(`FHIR_BASE_PATH "${value}" is not a plain URL path`);
  }
  return trimmed === '/' ? '' : trimmed;
}

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') {
    return fallback;
  }
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}
