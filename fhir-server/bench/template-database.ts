import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import {
  adminQuery,
  createDatabase,
  databaseComment,
  databaseUrl,
  dropDatabase,
  renameDatabase,
  setDatabaseComment,
  throwawayName,
} from './bench-database';
import { SERVER_ROOT } from './server-process';

/** A generated data set cached as a template database (CREATE DATABASE ... TEMPLATE) between runs. */
export interface TemplateSpec {
  /** The cached template database, e.g. `medbuddy_bench_template`. */
  readonly template: string;
  /** Prefix of the throwaway copies. */
  readonly prefix: string;
  /** What the log calls it, e.g. `search data set`. */
  readonly label: string;
  /** Changes whenever the data, or the way it is stored and indexed, changes. */
  readonly fingerprint: () => string;
  /** Loads the data into a migrated-or-empty database. */
  readonly load: (url: string, log: (line: string) => void) => Promise<void>;
}

export interface ThrowawayDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/**
 * A throwaway database holding a generated data set. The full-size set is loaded once into a
 * template database and copied for each run, as long as its fingerprint matches; `--quick`
 * loads its small set directly.
 */
export async function prepareFromTemplate(
  spec: TemplateSpec,
  options: { quick: boolean; reload: boolean },
  log: (line: string) => void,
): Promise<ThrowawayDatabase> {
  const name = throwawayName(spec.prefix);
  if (options.quick) {
    const url = await createDatabase(name);
    try {
      await spec.load(url, log);
    } catch (error) {
      await dropDatabase(name);
      throw error;
    }
    return { url, drop: () => dropDatabase(name) };
  }
  const fingerprint = spec.fingerprint();
  const current = await databaseComment(spec.template);
  if (options.reload || current !== fingerprint) {
    log(
      current === undefined
        ? `No cached ${spec.label}; building it.`
        : options.reload
          ? `Rebuilding the ${spec.label} (--reload).`
          : `The cached ${spec.label} is out of date; rebuilding it.`,
    );
    await buildTemplate(spec, fingerprint, log);
  } else {
    log(`Reusing the cached ${spec.label} (${spec.template}).`);
  }
  const started = performance.now();
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${spec.template} STRATEGY FILE_COPY`);
  log(`Copied the ${spec.label} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return { url: databaseUrl(name), drop: () => dropDatabase(name) };
}

async function buildTemplate(spec: TemplateSpec, fingerprint: string, log: (line: string) => void): Promise<void> {
  const building = throwawayName(`${spec.template}_build`);
  const url = await createDatabase(building);
  try {
    await spec.load(url, log);
    await dropDatabase(spec.template);
    await renameDatabase(building, spec.template);
    await setDatabaseComment(spec.template, fingerprint);
  } catch (error) {
    await dropDatabase(building);
    throw error;
  }
}

/** `VACUUM (ANALYZE)` after a bulk load, so plans see the real statistics. */
export async function vacuumAnalyze(url: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
}

/**
 * A fingerprint over the generator (`salt`: version and size), the migrations, the index
 * extraction code and the given server files (relative to fhir-server/).
 */
export function codeFingerprint(salt: string, files: readonly string[]): string {
  const hash = createHash('sha256');
  hash.update(salt);
  for (const dir of ['src/storage/migrations', 'src/storage/indexing']) {
    for (const file of listFiles(path.join(SERVER_ROOT, dir))) {
      // Relative: a checkout elsewhere (a worktree of another revision) shares the cached data.
      hash.update(path.relative(SERVER_ROOT, file)).update(fs.readFileSync(file));
    }
  }
  for (const file of files) {
    hash.update(fs.readFileSync(path.join(SERVER_ROOT, file)));
  }
  return `medbuddy-bench ${hash.digest('hex').slice(0, 16)}`;
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
    .sort();
}
