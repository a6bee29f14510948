import { FULL_SIZE, GENERATOR_VERSION, QUICK_SIZE, SearchDataset } from './search-dataset';
import { loadThroughStorage } from './storage-loader';
import { codeFingerprint, prepareFromTemplate, vacuumAnalyze, type ThrowawayDatabase } from './template-database';

/** The cached, fully loaded search data set; copied (CREATE DATABASE ... TEMPLATE) for each run. */
export const TEMPLATE_DATABASE = 'medbuddy_bench_template';

export interface SearchDatabase extends ThrowawayDatabase {
  readonly dataset: SearchDataset;
}

/**
 * A throwaway database holding the search data set (template-database.ts: cached at full size
 * while its fingerprint, generator version, data size, migrations and index extraction code, matches).
 */
export async function prepareSearchDatabase(
  options: { quick: boolean; reload: boolean },
  log: (line: string) => void,
): Promise<SearchDatabase> {
  const dataset = new SearchDataset(options.quick ? QUICK_SIZE : FULL_SIZE);
  const database = await prepareFromTemplate(
    {
      template: TEMPLATE_DATABASE,
      prefix: 'medbuddy_bench_search',
      label: 'search data set',
      fingerprint: () =>
        codeFingerprint(`generator ${GENERATOR_VERSION} ${JSON.stringify(dataset.size)}`, [
          'src/storage/patient-compartments.ts',
          'bench/search-dataset.ts',
          'bench/synthetic-resources.ts',
        ]),
      load: (url, log) => load(url, dataset, log),
    },
    options,
    log,
  );
  return { ...database, dataset };
}

async function load(url: string, dataset: SearchDataset, log: (line: string) => void): Promise<void> {
  const total = dataset.total;
  log(`Loading ${total.toLocaleString('en-US')} resources through the storage layer...`);
  const started = performance.now();
  await loadThroughStorage(url, dataset.resources(), {
    onProgress: ({ written, elapsedMs }) =>
      log(`  ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${Math.round((written * 1000) / elapsedMs)}/s)`),
  });
  await vacuumAnalyze(url);
  log(`Loaded in ${((performance.now() - started) / 1000).toFixed(0)} s (VACUUM ANALYZE included).`);
}
