import type { Context, Next } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isResourceType } from '../definitions';
import type { PoolStats } from '../storage/sql-executor';
import type { QueueStats } from '../storage/queue-stats';

/** Label values stay few: an interaction name and a known resource type (or `-`), never an id. */
type Labels = 'interaction' | 'resource_type' | 'status';

export interface Metrics {
  readonly registry: Registry;
  /** Koa middleware timing every request by interaction, resource type and status class. */
  middleware(ctx: Context, next: Next): Promise<void>;
}

/**
 * Prometheus metrics of one app (its own registry, so several apps in one process, as in
 * tests, do not clash): request rate and latency per FHIR interaction and resource type, the
 * database pool, the background queues (depth, reminder lag), and the process defaults (CPU,
 * memory, event loop lag).
 */
export function createMetrics(
  fhirBasePath: string,
  poolStats: () => PoolStats | undefined,
  queueStats?: () => Promise<QueueStats>,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'medbuddy_' });
  const duration = new Histogram<Labels>({
    name: 'medbuddy_http_request_duration_seconds',
    help: 'HTTP request latency by FHIR interaction, resource type and status class',
    labelNames: ['interaction', 'resource_type', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const requests = new Counter<Labels>({
    name: 'medbuddy_http_requests_total',
    help: 'HTTP requests by FHIR interaction, resource type and status class',
    labelNames: ['interaction', 'resource_type', 'status'],
    registers: [registry],
  });
  const pool = (name: string, help: string, pick: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const stats = poolStats();
        if (stats) {
          this.set(pick(stats));
        }
      },
    });
  pool('medbuddy_db_pool_connections', 'Open database connections', (s) => s.total);
  pool('medbuddy_db_pool_idle_connections', 'Idle database connections', (s) => s.idle);
  pool('medbuddy_db_pool_waiting_requests', 'Queries waiting for a database connection', (s) => s.waiting);
  // Both gauges read one statement per scrape (shared), and keep their last values when the database does not answer.
  let stats: Promise<QueueStats | undefined> | undefined;
  const scrape = (): Promise<QueueStats | undefined> => {
    stats ??= (queueStats?.() ?? Promise.resolve(undefined)).catch(() => undefined).finally(() => setImmediate(() => (stats = undefined)));
    return stats;
  };
  if (queueStats) {
    new Gauge<'queue'>({
      name: 'medbuddy_job_queue_depth',
      help: 'Waiting background work per queue: notification (pending jobs), change (writes not yet planned), reindex, export, import',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const current = await scrape();
        for (const [queue, depth] of Object.entries(current?.depth ?? {})) {
          this.set({ queue }, depth);
        }
      },
    });
    new Gauge({
      name: 'medbuddy_reminder_lag_seconds',
      help: 'How late the most overdue pending notification (reminders, e-mails, rest-hooks) is; 0 when none is due',
      registers: [registry],
      async collect() {
        const current = await scrape();
        if (current) {
          this.set(current.reminderLagSeconds);
        }
      },
    });
  }

  return {
    registry,
    async middleware(ctx, next) {
      const started = process.hrtime.bigint();
      try {
        await next();
      } finally {
        const labels = { ...classify(ctx.method, ctx.path, fhirBasePath), status: `${Math.floor(ctx.status / 100)}xx` };
        requests.inc(labels);
        duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
      }
    },
  };
}

/** The FHIR interaction (http.html#summary) a request is, from its method and path shape. */
export function classify(method: string, path: string, fhirBasePath: string): { interaction: string; resource_type: string } {
  if (!path.startsWith(fhirBasePath + '/') && path !== fhirBasePath) {
    const area = /^\/(oauth2|auth|patient|clinician|\.well-known)(\/|$)/.exec(path)?.[1] ?? 'other';
    return { interaction: area, resource_type: '-' };
  }
  const segments = path.slice(fhirBasePath.length).split('/').filter(Boolean);
  const [first, second, third] = segments;
  const type = first && isResourceType(first) ? first : '-';
  const operation = segments.find((s) => s.startsWith('$'));
  if (operation) {
    return { interaction: `operation`, resource_type: type };
  }
  if (segments.length === 0) {
    return { interaction: method === 'POST' ? 'batch-transaction' : 'search-system', resource_type: '-' };
  }
  if (first === 'metadata') {
    return { interaction: 'capabilities', resource_type: '-' };
  }
  if (first === '_history' || second === '_history' || segments[2] === '_history') {
    return { interaction: segments.length === 4 ? 'vread' : 'history', resource_type: type };
  }
  if (segments.length === 1 || second === '_search') {
    const byMethod: Record<string, string> = { GET: 'search-type', POST: 'create', PUT: 'update', DELETE: 'delete' };
    return { interaction: second === '_search' ? 'search-type' : (byMethod[method] ?? 'other'), resource_type: type };
  }
  if (segments.length === 2) {
    const byMethod: Record<string, string> = { GET: 'read', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
    return { interaction: byMethod[method] ?? 'other', resource_type: type };
  }
  return { interaction: third ? 'search-compartment' : 'other', resource_type: type };
}
