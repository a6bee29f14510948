import type { Patient, Practitioner, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { createDatabase, dropDatabase, throwawayName } from './bench-database';
import { BOOKING_SALT, BOOKING_WORKLOADS, BookingDataset, type BookingContext } from './booking-workloads';
import { cleanupOnInterrupt } from './interrupt-cleanup';
import { AccessToken } from './access-token';
import { CpuMeter } from './cpu-meter';
import { LoadGenerator } from './load-generator';
import type { BenchOptions } from './options';
import { startServer } from './server-process';
import { loadThroughStorage } from './storage-loader';
import { runWorkloads, selectedWorkloads, type SuiteResults } from './suite-runner';
import { syntheticId } from './synthetic-resources';
import type { Timing } from './workload';

const FULL = new BookingDataset(100, 100);
const QUICK = new BookingDataset(10, 40);
/** Slots are half-hourly from this instant on: in the future, so bookable. */
const FIRST_SLOT = Date.parse('2027-03-01T08:00:00Z');

/** Issue 6's booking workloads on a fresh database of verified doctors with free slots. */
export async function runSchedulingSuite(
  options: BenchOptions,
  timing: Timing,
  baselineMs: number,
  log: (line: string) => void,
  results: SuiteResults,
): Promise<void> {
  const workloads = selectedWorkloads(options, 'scheduling', BOOKING_WORKLOADS);
  if (workloads.length === 0) {
    return;
  }
  const data = options.quick ? QUICK : FULL;
  const name = throwawayName('medbuddy_bench_scheduling');
  const databaseUrl = await createDatabase(name);
  const dropDb = cleanupOnInterrupt(() => dropDatabase(name));
  try {
    log(`scheduling: loading ${data.doctors} doctors, ${data.slots} slots, ${data.patients} patients...`);
    await loadThroughStorage(databaseUrl, resources(data));
    const server = await startServer({ databaseUrl, env: options.serverEnv, cpuProfileDir: options.cpuProfileDir });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    const load = new LoadGenerator(server.origin, 16);
    load.cpuMeter = CpuMeter.create(server.pid, databaseUrl);
    const token = new AccessToken(databaseUrl, server.origin);
    try {
      const context: BookingContext = { load, basePath: server.basePath, data };
      await runWorkloads(
        {
          suite: 'scheduling',
          options,
          timing,
          baselineMs,
          databaseUrl,
          basePath: server.basePath,
          context,
          log,
          beforeWorkload: async () => load.authorize(await token.current()),
          baselineIds: () => ({ resourceType: 'Patient', ids: Array.from({ length: data.patients }, (_, k) => data.patientId(k)) }),
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

function* resources(data: BookingDataset): Generator<Resource & { id: string }> {
  for (let d = 0; d < data.doctors; d++) {
    const practitioner = syntheticId(BOOKING_SALT.practitioner, d);
    const schedule = syntheticId(BOOKING_SALT.schedule, d);
    yield { resourceType: 'Practitioner', id: practitioner, active: true, name: [{ family: `Doctor${d}` }] } as Practitioner & {
      id: string;
    };
    yield { resourceType: 'Schedule', id: schedule, active: true, actor: [{ reference: `Practitioner/${practitioner}` }] } as Schedule & {
      id: string;
    };
    for (let m = 0; m < data.slotsPerDoctor; m++) {
      const k = d * data.slotsPerDoctor + m;
      const start = FIRST_SLOT + m * 1_800_000;
      yield {
        resourceType: 'Slot',
        id: data.slotId(k),
        schedule: { reference: `Schedule/${schedule}` },
        status: 'free',
        start: new Date(start).toISOString(),
        end: new Date(start + 1_800_000).toISOString(),
      } as Slot & { id: string };
    }
  }
  for (let k = 0; k < data.patients; k++) {
    yield { resourceType: 'Patient', id: data.patientId(k), name: [{ family: `Booker${k}` }] } as Patient & { id: string };
  }
}
