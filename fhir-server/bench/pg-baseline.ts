import { Pool } from 'pg';
import { LatencyRecorder, type LatencySummary } from './latency-stats';

export interface PgBaselineOptions {
  readonly databaseUrl: string;
  readonly concurrency: number;
  readonly durationMs: number;
  readonly resourceType: string;
  readonly ids: readonly string[];
}

/**
 * Raw PostgreSQL primary-key SELECT throughput from this process through a pg Pool, at the
 * same concurrency as a workload: the yardstick every figure is divided by.
 */
export async function measurePgPrimaryKeySelect(options: PgBaselineOptions): Promise<LatencySummary> {
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.concurrency });
  const recorder = new LatencyRecorder();
  const { ids, resourceType } = options;
  try {
    // Open every connection before the clock starts.
    await Promise.all(Array.from({ length: options.concurrency }, () => pool.query('SELECT 1')));
    const started = performance.now();
    const deadline = started + options.durationMs;
    const user = async (): Promise<void> => {
      while (performance.now() < deadline) {
        const id = ids[Math.floor(Math.random() * ids.length)];
        const t = performance.now();
        const result = await pool.query('SELECT content FROM resource WHERE resource_type = $1 AND id = $2', [resourceType, id]);
        recorder.add(performance.now() - t);
        if (result.rows.length !== 1) {
          recorder.addError(`no ${resourceType}/${id}`);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, user));
    return recorder.summarize(performance.now() - started);
  } finally {
    await pool.end();
  }
}
