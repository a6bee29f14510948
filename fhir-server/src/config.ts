import path from 'node:path';

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
  /** The built web portals served next to the API (none when `SERVE_PORTALS=false`). */
  readonly portals: readonly PortalConfig[];
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
  return {
    port,
    fhirBasePath,
    fhirBaseUrl: publicUrl + fhirBasePath,
    database: readDatabase(env),
    maxBodyBytes: readInteger(env, 'MAX_BODY_BYTES', 5 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    maxJsonDepth: readInteger(env, 'MAX_JSON_DEPTH', 64, 8, 1000),
    logRequests: env.LOG_REQUESTS !== 'false',
    trustProxy: env.TRUST_PROXY === 'true',
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
