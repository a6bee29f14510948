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
  /** Folder of the MedBuddy FHIR package (SearchParameter-*.json are loaded); default: the repository's profiles/. */
  readonly profilesDir?: string;
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
    profilesDir: env.PROFILES_DIR ? path.resolve(env.PROFILES_DIR) : undefined,
  };
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
