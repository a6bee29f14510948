import { cleanupOnInterrupt } from './interrupt-cleanup';
import { AccessToken } from './access-token';
import { CpuMeter } from './cpu-meter';
import { LoadGenerator } from './load-generator';
import type { BenchOptions } from './options';
import { prepareSearchDatabase } from './search-database';
import { SEARCH_WORKLOADS, SearchExpectations, type SearchContext } from './search-workloads';
import { startServer } from './server-process';
import { runWorkloads, selectedWorkloads, type SuiteResults } from './suite-runner';
import type { Timing } from './workload';

/** Issue 3's workloads on a copy of the generated data set. */
export async function runSearchSuite(
  options: BenchOptions,
  timing: Timing,
  baselineMs: number,
  log: (line: string) => void,
  results: SuiteResults,
): Promise<void> {
  const workloads = selectedWorkloads(options, 'search', SEARCH_WORKLOADS);
  if (workloads.length === 0) {
    return;
  }
  const database = await prepareSearchDatabase(options, log);
  const dropDb = cleanupOnInterrupt(() => database.drop());
  try {
    const server = await startServer({ databaseUrl: database.url, env: options.serverEnv, cpuProfileDir: options.cpuProfileDir });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    const load = new LoadGenerator(server.origin, 16);
    load.cpuMeter = CpuMeter.create(server.pid, database.url);
    const token = new AccessToken(database.url, server.origin);
    const authorize = async (): Promise<void> => load.authorize(await token.current());
    try {
      log(`search: server at ${server.origin}`);
      const data = database.dataset;
      const context: SearchContext = { load, basePath: server.basePath, data, expect: new SearchExpectations(data) };
      const baselineIds = Array.from({ length: 20_000 }, (_, n) => data.patientId(Math.floor((n * data.size.patients) / 20_000)));
      await runWorkloads(
        {
          suite: 'search',
          options,
          timing,
          baselineMs,
          databaseUrl: database.url,
          basePath: server.basePath,
          context,
          log,
          beforeWorkload: authorize,
          baselineIds: () => ({ resourceType: 'Patient', ids: baselineIds }),
        },
        workloads,
        results,
      );
    } finally {
      await load.close();
      await stopServer();
    }
  } finally {
    await dropDb();
  }
}
