import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { loadConfig } from '../../src/config';

/**
 * docker-compose.yml, fhir-server/Dockerfile and .env.example cannot be run here (no Docker
 * engine), so their wiring is checked against the code: the services exist, the server gets a
 * DATABASE_URL that points at the postgres service and only variables config.ts reads, and
 * .env.example documents every one of those.
 */
const ROOT = path.resolve(__dirname, '../../..');
const read = (file: string): string => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string };
  environment?: Record<string, string | number>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string | string[] };
  depends_on?: Record<string, { condition: string }>;
  entrypoint?: string[];
}

const compose = parse(read('docker-compose.yml')) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const services = compose.services;

/** What a deployment's .env must provide (compose's `${NAME:?...}`). */
const REQUIRED_SETTINGS: Record<string, string> = {
  PUBLIC_URL: 'https://medbuddy.example.org',
  JWT_PRIVATE_KEY: '-----BEGIN PRIVATE KEY-----\\nMIG...\\n-----END PRIVATE KEY-----',
};

/** `${NAME:-default}` as compose resolves it with no .env file; `${NAME:?error}` from REQUIRED_SETTINGS. */
function interpolate(value: string): string {
  return value
    .replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_, _name: string, fallback: string) => fallback)
    .replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_, name: string) => REQUIRED_SETTINGS[name] ?? '');
}

/** Variable names fhir-server/src/config.ts reads from the environment. */
function configVariables(): string[] {
  const source = read('fhir-server/src/config.ts');
  const names = new Set<string>();
  for (const m of source.matchAll(/env\.([A-Z0-9_]+)|readInteger\(env, '([A-Z0-9_]+)'/g)) {
    names.add(m[1] ?? m[2]);
  }
  return [...names].sort();
}

describe('docker-compose.yml', () => {
  test('has the production-like stack: postgres 16, minio (+ bucket job), mailpit, coturn, fhir-server', () => {
    expect(Object.keys(services).sort()).toEqual(['coturn', 'fhir-server', 'mailpit', 'minio', 'minio-buckets', 'postgres']);
    expect(services.postgres.image).toBe('postgres:16');
    expect(services.postgres.healthcheck?.test).toBeDefined();
    expect(services.postgres.volumes?.[0]).toMatch(/^postgres-data:\/var\/lib\/postgresql\/data$/);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(['postgres-data', 'minio-data']));
    expect(services['minio-buckets'].image).toBe('minio/mc');
    expect(services['minio-buckets'].depends_on?.minio.condition).toBe('service_healthy');
    expect(services['minio-buckets'].entrypoint?.join(' ')).toContain('mc mb --ignore-existing');
  });

  test('the server is built from fhir-server/Dockerfile, waits for postgres and gets a config that loads', () => {
    const server = services['fhir-server'];
    expect(server.build).toEqual({ context: '.', dockerfile: 'fhir-server/Dockerfile' });
    expect(server.depends_on?.postgres.condition).toBe('service_healthy');
    const env = Object.fromEntries(Object.entries(server.environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));
    for (const name of Object.keys(env)) {
      expect(configVariables()).toContain(name);
    }
    expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
    // The Dockerfile sets NODE_ENV=production, which refuses weak settings.
    expect(read('fhir-server/Dockerfile')).toMatch(/^ENV NODE_ENV=production/m);
    const config = loadConfig({ ...env, NODE_ENV: 'production' });
    expect(config.production).toBe(true);
    expect(config.database.kind).toBe('postgres');
    expect(config.mail.smtpUrl).toBe('smtp://mailpit:1025');
    expect(server.ports?.map(interpolate)).toEqual([`${config.port}:${config.port}`]);
    expect(JSON.stringify(server.healthcheck?.test)).toContain(`127.0.0.1:${config.port}${config.fhirBasePath}/metadata`);
    expect(config.video.provider).toBe('webrtc');
  });

  test('coturn relays the built-in video mode with the TURN secret the server derives credentials from', () => {
    const coturn = services.coturn;
    expect(coturn.image).toBe('coturn/coturn');
    const args = (coturn as { command?: string[] }).command?.map(interpolate) ?? [];
    expect(args).toEqual(expect.arrayContaining(['--use-auth-secret', '--static-auth-secret=change-me']));
    expect(coturn.ports).toEqual(expect.arrayContaining(['3478:3478/udp', '3478:3478/tcp']));
    const serverEnv = services['fhir-server'].environment ?? {};
    expect(interpolate(String(serverEnv.VIDEO_TURN_SECRET))).toBe('change-me');
    const config = loadConfig({
      ...Object.fromEntries(Object.entries(serverEnv).map(([k, v]) => [k, interpolate(String(v))])),
      VIDEO_TURN_URLS: 'turn:turn.example.org:3478',
    });
    expect(config.video).toMatchObject({ turnUrls: ['turn:turn.example.org:3478'], turnSecret: 'change-me' });
  });
});

describe('fhir-server/Dockerfile', () => {
  const dockerfile = read('fhir-server/Dockerfile');

  test('builds in stages with npm ci and runs the compiled server as a non-root user', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm ci /m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "fhir-server\/dist\/main\.js"\]$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK /m);
  });
});

describe('.env.example', () => {
  test('documents every variable the server reads', () => {
    expect(configVariables()).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'WEB_CONCURRENCY']));
    const documented = new Set([...read('.env.example').matchAll(/^#? ?([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(configVariables().filter((name) => !documented.has(name))).toEqual([]);
  });
});
