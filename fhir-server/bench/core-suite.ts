import { createDatabase, dropDatabase, throwawayName } from './bench-database';
import { CORE_PATIENTS, CORE_WORKLOADS, coreFamilies, corePatient, seedPatientId, type CoreContext } from './core-workloads';
import { cleanupOnInterrupt } from './interrupt-cleanup';
import { AccessToken } from './access-token';
import { CpuMeter } from './cpu-meter';
import { LoadGenerator } from './load-generator';
import type { BenchOptions } from './options';
import { startServer } from './server-process';
import { loadThroughStorage } from './storage-loader';
import { runWorkloads, selectedWorkloads, type SuiteResults } from './suite-runner';
import type { Timing } from './workload';

/** Issue 2's workloads on a fresh throwaway database, against the server as a separate process. */
export async function runCoreSuite(
  options: BenchOptions,
  timing: Timing,
  baselineMs: number,
  log: (line: string) => void,
  results: SuiteResults,
): Promise<void> {
  const workloads = selectedWorkloads(options, 'core', CORE_WORKLOADS);
  if (workloads.length === 0) {
    return;
  }
  const name = throwawayName('medbuddy_bench_core');
  const databaseUrl = await createDatabase(name);
  const dropDb = cleanupOnInterrupt(() => dropDatabase(name));
  try {
    const server = await startServer({ databaseUrl, env: options.serverEnv, cpuProfileDir: options.cpuProfileDir });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    const load = new LoadGenerator(server.origin, 16);
    load.cpuMeter = CpuMeter.create(server.pid, databaseUrl);
    const token = new AccessToken(databaseUrl, server.origin);
    const authorize = async (): Promise<void> => load.authorize(await token.current());
    try {
      log(`core: server at ${server.origin}, database ${name}`);
      const families = coreFamilies();
      const context: CoreContext = { load, basePath: server.basePath, families, patientIds: [], perFamily: new Map() };
      if (!workloads.some((w) => w.name === 'create')) {
        await seedPatients(databaseUrl, context, Math.round(CORE_PATIENTS * timing.countScale));
      }
      await runWorkloads(
        {
          suite: 'core',
          options,
          timing,
          baselineMs,
          databaseUrl,
          basePath: server.basePath,
          context,
          log,
          beforeWorkload: authorize,
          baselineIds: () => ({ resourceType: 'Patient', ids: context.patientIds }),
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

/** Without the create workload, the Patients it would have made are written through the storage layer. */
async function seedPatients(databaseUrl: string, context: CoreContext, count: number): Promise<void> {
  const patients = Array.from({ length: count }, (_, i) => {
    const id = seedPatientId(i);
    context.patientIds.push(id);
    const family = context.families[i % context.families.length];
    context.perFamily.set(family, (context.perFamily.get(family) ?? 0) + 1);
    return { ...corePatient(i, context.families, id), id };
  });
  await loadThroughStorage(databaseUrl, patients);
}
