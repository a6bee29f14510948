import os from 'node:os';
import path from 'node:path';
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
  /** The built web portals served next to the API (none when `SERVE_PORTALS=false`). */
  readonly portals: readonly PortalConfig[];
}

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
  /** Shared rate-limit counters for several instances (`REDIS_URL`); in memory without it. */
  readonly redisUrl?: string;
}

export interface MailConfig {
  /** `SMTP_URL` (smtp://user:pass@host:587); without it, messages go to `outboxDir` as .eml files. */
  readonly smtpUrl?: string;
  /** Sender address (`MAIL_FROM`). */
  readonly from: string;
  readonly outboxDir: string;
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
  | { readonly kind: 'postgres'; readonly url: string; readonly poolSize: number }
  | { readonly kind: 'pglite'; readonly dataDir: string | undefined };

export class ConfigError extends Error {}

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
      from: env.MAIL_FROM ?? 'MedBuddy <no-reply@medbuddy.local>',
      outboxDir: path.resolve(dataDir === 'memory' ? path.join(os.tmpdir(), 'medbuddy') : dataDir, 'outbox'),
    },
    portals: readPortals(env),
  };
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
    return { kind: 'postgres', url: env.DATABASE_URL, poolSize: readInteger(env, 'DATABASE_POOL_SIZE', 16, 1, 500) };
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
