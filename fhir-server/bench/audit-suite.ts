import { AccessToken } from './access-token';
import { AUDIT_FULL_SIZE, AUDIT_GENERATOR_VERSION, AUDIT_QUICK_SIZE, AuditDataset } from './audit-dataset';
import { AUDIT_WORKLOADS, type AuditContext } from './audit-workloads';
import { CpuMeter } from './cpu-meter';
import { cleanupOnInterrupt } from './interrupt-cleanup';
import { LoadGenerator } from './load-generator';
import type { BenchOptions } from './options';
import { startServer } from './server-process';
import { loadAuditEvents } from './storage-loader';
import { runWorkloads, selectedWorkloads, type SuiteResults } from './suite-runner';
import { codeFingerprint, prepareFromTemplate, vacuumAnalyze, type ThrowawayDatabase } from './template-database';
import type { Timing } from './workload';

/** The cached audit trail (1,000,000 AuditEvents). */
export const AUDIT_TEMPLATE_DATABASE = 'medbuddy_bench_audit_template';

export interface AuditDatabase extends ThrowawayDatabase {
  readonly data: AuditDataset;
}

/** A throwaway copy of the generated audit trail (the cached template at full size, loaded directly with --quick). */
export async function prepareAuditDatabase(
  options: { quick: boolean; reload: boolean },
  log: (line: string) => void,
): Promise<AuditDatabase> {
  const data = new AuditDataset(options.quick ? AUDIT_QUICK_SIZE : AUDIT_FULL_SIZE);
  const database = await prepareFromTemplate(
    {
      template: AUDIT_TEMPLATE_DATABASE,
      prefix: 'medbuddy_bench_audit',
      label: 'audit trail',
      fingerprint: () =>
        codeFingerprint(`audit generator ${AUDIT_GENERATOR_VERSION} ${JSON.stringify(data.size)}`, [
          'src/domain/audit/audit-event.ts',
          'src/storage/audit-sql.ts',
          'src/definitions/search-parameter-catalog.ts',
          'bench/audit-dataset.ts',
          'bench/synthetic-resources.ts',
        ]),
      load: (url, log) => load(url, data, log),
    },
    options,
    log,
  );
  return { ...database, data };
}

/** Issue 12's AuditEvent browser queries on a copy of the generated audit trail. */
export async function runAuditSuite(
  options: BenchOptions,
  timing: Timing,
  baselineMs: number,
  log: (line: string) => void,
  results: SuiteResults,
): Promise<void> {
  const workloads = selectedWorkloads(options, 'audit', AUDIT_WORKLOADS);
  if (workloads.length === 0) {
    return;
  }
  const database = await prepareAuditDatabase(options, log);
  const data = database.data;
  const dropDb = cleanupOnInterrupt(() => database.drop());
  try {
    const server = await startServer({ databaseUrl: database.url, env: options.serverEnv, cpuProfileDir: options.cpuProfileDir });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    const load = new LoadGenerator(server.origin, 16);
    load.cpuMeter = CpuMeter.create(server.pid, database.url);
    const token = new AccessToken(database.url, server.origin);
    try {
      log(`audit: server at ${server.origin}`);
      const context: AuditContext = { load, basePath: server.basePath, data };
      const baselineIds = Array.from({ length: 20_000 }, (_, n) => data.eventId(Math.floor((n * data.size.events) / 20_000)));
      await runWorkloads(
        {
          suite: 'audit',
          options,
          timing,
          baselineMs,
          databaseUrl: database.url,
          basePath: server.basePath,
          context,
          log,
          beforeWorkload: async () => load.authorize(await token.current()),
          baselineIds: () => ({ resourceType: 'AuditEvent', ids: baselineIds }),
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

async function load(url: string, data: AuditDataset, log: (line: string) => void): Promise<void> {
  const total = data.size.events;
  log(`Loading ${total.toLocaleString('en-US')} AuditEvents the way the server's AuditWriter stores them...`);
  const started = performance.now();
  await loadAuditEvents(url, data.events(), {
    onProgress: ({ written, elapsedMs }) =>
      log(`  ${written.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} (${Math.round((written * 1000) / elapsedMs)}/s)`),
  });
  await vacuumAnalyze(url);
  log(`Loaded in ${((performance.now() - started) / 1000).toFixed(0)} s (VACUUM ANALYZE included).`);
}
