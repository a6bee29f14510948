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
import { FULL_SIZE, GENERATOR_VERSION, QUICK_SIZE, SearchDataset } from './search-dataset';
import { SERVER_ROOT } from './server-process';
import { loadThroughStorage } from './storage-loader';

/** The cached, fully loaded search data set; copied (CREATE DATABASE ... TEMPLATE) for each run. */
export const TEMPLATE_DATABASE = 'medbuddy_bench_template';

export interface SearchDatabase {
  readonly url: string;
  readonly dataset: SearchDataset;
  drop(): Promise<void>;
}

/**
 * A throwaway database holding the search data set. The full-size set is loaded once into a
 * template database and copied for each run, as long as its fingerprint (generator version,
 * data size, migrations and index extraction code) matches; `--quick` loads its small set directly.
 */
export async function prepareSearchDatabase(
  options: { quick: boolean; reload: boolean },
  log: (line: string) => void,
): Promise<SearchDatabase> {
  const dataset = new SearchDataset(options.quick ? QUICK_SIZE : FULL_SIZE);
  const name = throwawayName('medbuddy_bench_search');
  if (options.quick) {
    const url = await createDatabase(name);
    try {
      await load(url, dataset, log);
    } catch (error) {
      await dropDatabase(name);
      throw error;
    }
    return { url, dataset, drop: () => dropDatabase(name) };
  }
  const fingerprint = dataFingerprint(dataset);
  const current = await databaseComment(TEMPLATE_DATABASE);
  if (options.reload || current !== fingerprint) {
    log(
      current === undefined
        ? 'No cached search data set; building it.'
        : options.reload
          ? 'Rebuilding the search data set (--reload).'
          : 'The cached search data set is out of date; rebuilding it.',
    );
    await buildTemplate(dataset, fingerprint, log);
  } else {
    log(`Reusing the cached search data set (${TEMPLATE_DATABASE}).`);
  }
  const started = performance.now();
  await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE} STRATEGY FILE_COPY`);
  log(`Copied the search data set in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  return { url: databaseUrl(name), dataset, drop: () => dropDatabase(name) };
}

async function buildTemplate(dataset: SearchDataset, fingerprint: string, log: (line: string) => void): Promise<void> {
  const building = throwawayName('medbuddy_bench_template_build');
  const url = await createDatabase(building);
  try {
    await load(url, dataset, log);
    await dropDatabase(TEMPLATE_DATABASE);
    await renameDatabase(building, TEMPLATE_DATABASE);
    await setDatabaseComment(TEMPLATE_DATABASE, fingerprint);
  } catch (error) {
    await dropDatabase(building);
    throw error;
  }
}

async function load(url: string, dataset: SearchDataset, log: (line: string) => void): Promise<void> {
  const total = dataset.total;
  log(`Loading ${total.toLocaleString('en-US')} resources through the storage layer...`);
  const started = performance.now();
  await loadThroughStorage(url, dataset.resources(), {
    onProgress: ({ written, elapsedMs }) =>
      log(`  ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${Math.round((written * 1000) / elapsedMs)}/s)`),
  });
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('VACUUM (ANALYZE)');
  } finally {
    await client.end();
  }
  log(`Loaded in ${((performance.now() - started) / 1000).toFixed(0)} s (VACUUM ANALYZE included).`);
}

/** Changes whenever the generated data or the way it is stored and indexed changes. */
function dataFingerprint(dataset: SearchDataset): string {
  const hash = createHash('sha256');
  hash.update(`generator ${GENERATOR_VERSION} ${JSON.stringify(dataset.size)}`);
  for (const dir of ['src/storage/migrations', 'src/storage/indexing']) {
    for (const file of listFiles(path.join(SERVER_ROOT, dir))) {
      hash.update(file).update(fs.readFileSync(file));
    }
  }
  for (const file of ['src/storage/patient-compartments.ts', 'bench/search-dataset.ts', 'bench/synthetic-resources.ts']) {
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
