import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
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
  POSTGRES_PASSWORD: 'a-long-secret-from-dot-env',
  MEDBUDDY_DOMAIN: 'medbuddy.example.org',
  SMTP_URL: 'smtp://relay.example.org:587',
  MINIO_ROOT_USER: 'minio-admin',
  MINIO_ROOT_PASSWORD: 'another-long-secret',
  TURN_SECRET: 'a-turn-secret',
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

/**
 * The Compose Specification's JSON schema, as the dclint package ships it (kept current with
 * compose-spec/compose-spec), compiled once. ajv 6 knows draft-07 by its own URL, so the
 * schema's `$schema` spelling is dropped; its `format`s are hints that Compose checks itself.
 */
function composeSchemaValidator() {
  const schema = JSON.parse(read('node_modules/dclint/schemas/compose.schema.json')) as Record<string, unknown>;
  delete schema.$schema;
  return new Ajv({ allErrors: true, unknownFormats: 'ignore' }).compile(schema);
}

describe('docker-compose.yml against the Compose Specification schema', () => {
  const validate = composeSchemaValidator();

  test.each(['docker-compose.yml', 'docker-compose.prod.yml'])('%s is a valid Compose file', (file) => {
    const valid = validate(parse(read(file)));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  test('the schema check catches mistakes (so a pass means something)', () => {
    const broken = parse(read('docker-compose.yml')) as { services: Record<string, Record<string, unknown>> };
    broken.services.postgres.healthcheck = { test: ['CMD', 'true'], intervall: '5s' };
    broken.services['fhir-server'].depends_on = { postgres: { condition: 'when_ready' } };
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.dataPath).sort()).toEqual(
      expect.arrayContaining([".services['fhir-server'].depends_on['postgres'].condition", ".services['postgres'].healthcheck"]),
    );
  });
});

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
    expect(server.ports?.map(interpolate)).toEqual([`127.0.0.1:${config.port}:${config.port}`]);
    expect(JSON.stringify(server.healthcheck?.test)).toContain(`127.0.0.1:${config.port}/readyz`);
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

  test('builds both portals and puts them where the server serves /patient/ and /clinician/ from', () => {
    expect(dockerfile).toMatch(/^RUN npm run build --workspace=patient-portal --workspace=clinician-portal$/m);
    expect(dockerfile).toMatch(/^COPY --from=portals \/app\/patient-portal\/dist \.\/patient-portal\/dist$/m);
    expect(dockerfile).toMatch(/^COPY --from=portals \/app\/clinician-portal\/dist \.\/clinician-portal\/dist$/m);
    // config.ts's default portal folders, from the compiled server at /app/fhir-server/dist.
    const portals = loadConfig({}).portals.map((p) => path.relative(ROOT, p.distDir));
    expect(portals).toEqual(['patient-portal/dist', 'clinician-portal/dist']);
    // The build context holds the portals' sources (only tests and builds are left out).
    const ignored = read('.dockerignore').split('\n');
    expect(ignored).not.toContain('patient-portal');
    expect(ignored).not.toContain('clinician-portal');
  });
});

describe('.env.example', () => {
  test('documents every variable the server reads', () => {
    expect(configVariables()).toEqual(expect.arrayContaining(['DATABASE_URL', 'PORT', 'WEB_CONCURRENCY']));
    const documented = new Set([...read('.env.example').matchAll(/^#? ?([A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(configVariables().filter((name) => !documented.has(name))).toEqual([]);
  });
});

/** `docker compose -f docker-compose.yml -f docker-compose.prod.yml`: services merged, mappings merged, lists and scalars replaced. */
function mergedProduction(): Record<string, Service & { command?: string[]; profiles?: string[]; restart?: string }> {
  const prod = parse(read('docker-compose.prod.yml')) as { services: Record<string, Service> };
  const merged: Record<string, Service & Record<string, unknown>> = {};
  for (const name of new Set([...Object.keys(services), ...Object.keys(prod.services)])) {
    const base = (services[name] ?? {}) as Record<string, unknown>;
    const over = (prod.services[name] ?? {}) as Record<string, unknown>;
    merged[name] = { ...base, ...over, environment: { ...(base.environment ?? {}), ...(over.environment ?? {}) } } as Service &
      Record<string, unknown>;
  }
  return merged;
}

describe('docker-compose.prod.yml (with docker-compose.yml)', () => {
  const merged = mergedProduction();
  const env = (name: string) =>
    Object.fromEntries(Object.entries(merged[name].environment ?? {}).map(([k, v]) => [k, interpolate(String(v))]));

  test('a TLS proxy (Caddy) forwards to the server once it is healthy; only it and TURN are public', () => {
    const proxy = merged.proxy;
    expect(proxy.image).toMatch(/^caddy:/);
    expect(proxy.depends_on?.['fhir-server'].condition).toBe('service_healthy');
    // The Caddyfile itself runs in front of a real server in proxy.test.ts.
    expect(proxy.command).toEqual(['caddy', 'run', '--config', '/etc/caddy/Caddyfile', '--adapter', 'caddyfile']);
    expect(proxy.volumes).toContain('./Caddyfile:/etc/caddy/Caddyfile:ro');
    expect(interpolate(String(proxy.environment?.MEDBUDDY_DOMAIN))).toBe('medbuddy.example.org');
    expect(read('Caddyfile')).toContain('reverse_proxy {$MEDBUDDY_UPSTREAM:fhir-server:3000}');
    expect(proxy.ports).toEqual(expect.arrayContaining(['0.0.0.0:80:80', '0.0.0.0:443:443']));
    for (const [name, service] of Object.entries(merged)) {
      for (const port of (service.ports ?? []).map(interpolate)) {
        expect([name, port.startsWith('127.0.0.1:') || name === 'proxy' || name === 'coturn']).toEqual([name, true]);
      }
    }
    expect(merged.mailpit.profiles).toEqual(['dev']);
  });

  test('the server gets a production config that loads, behind the proxy, with no default secret', () => {
    const serverEnv = env('fhir-server');
    const config = loadConfig({ ...serverEnv, NODE_ENV: 'production' });
    expect(config.production).toBe(true);
    expect(config.publicUrl).toBe('https://medbuddy.example.org');
    expect(config.trustProxy).toBe(true);
    expect(config.workers).toBe(2);
    expect(config.mail.smtpUrl).toBe('smtp://relay.example.org:587');
    expect(config.video).toMatchObject({
      turnSecret: 'a-turn-secret',
      turnUrls: expect.arrayContaining([expect.stringContaining('turn:medbuddy.example.org:3478')]),
    });
    for (const name of Object.keys(merged)) {
      const text = JSON.stringify(merged[name]);
      for (const secret of ['MINIO_ROOT_PASSWORD', 'TURN_SECRET', 'POSTGRES_PASSWORD']) {
        // A secret is either absent or required (`:?`), never defaulted (`:-`).
        expect([name, text.includes(`\${${secret}:-`)]).toEqual([name, false]);
      }
    }
    expect(env('minio').MINIO_ROOT_PASSWORD).toBe('another-long-secret');
    expect(serverEnv.S3_SECRET_KEY).toBe('another-long-secret');
    expect((merged.coturn.command ?? []).map(interpolate)).toContain('--static-auth-secret=a-turn-secret');
  });
});
