import { Client } from 'pg';
import { FULL_ACCESS } from '../src/auth/access-context';
import { loadFhirDefinitions } from '../src/definitions';
import type { FhirContext, FhirRequest } from '../src/fhir/fhir-request';
import { dispatch } from '../src/fhir/router';
import { PgRepository } from '../src/storage/pg-repository';
import { toPositionalSql, type SqlExecutor } from '../src/storage/sql-executor';
import { pathOf, type ExplainCall } from './workload';

export interface StatementPlan {
  readonly sql: string;
  readonly plan: readonly string[];
  /** Indexes the plan reads. */
  readonly indexes: readonly string[];
  /** Tables the plan scans sequentially (a search should have none). */
  readonly seqScans: readonly string[];
}

export interface WorkloadPlans {
  readonly workload: string;
  readonly request: string;
  readonly statements: readonly StatementPlan[];
}

/**
 * `--explain`: dispatches a workload's request in-process through the server's own router,
 * repository and SQL (the code path the HTTP server runs), on the benchmark database, and runs
 * `EXPLAIN (ANALYZE, BUFFERS)` on every distinct statement it issues. Everything happens in
 * one transaction that is rolled back, so writes leave nothing behind.
 */
export async function explainWorkload(
  databaseUrl: string,
  basePath: string,
  workload: string,
  calls: readonly ExplainCall[],
): Promise<WorkloadPlans[]> {
  loadFhirDefinitions();
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  const out: WorkloadPlans[] = [];
  try {
    for (const call of calls) {
      await client.query('BEGIN');
      try {
        const executor = new ExplainingExecutor(client);
        // The load's `system/*.*` token gets full access, so the same SQL as the server's.
        const ctx: FhirContext = { repo: new PgRepository(executor), access: FULL_ACCESS, baseUrl: `http://explain.local${basePath}` };
        let path = call.path;
        for (let page = 0; page < (call.followNext ?? 0); page++) {
          executor.recording = false;
          const response = await dispatch(ctx, toFhirRequest(call.method, path, call.body, basePath));
          const next = nextLink(response.resourceText);
          if (!next) {
            break;
          }
          path = pathOf(next);
        }
        executor.recording = true;
        await dispatch(ctx, toFhirRequest(call.method, path, call.body, basePath));
        out.push({ workload, request: `${call.method} ${path}`, statements: executor.plans });
      } finally {
        await client.query('ROLLBACK');
      }
    }
  } finally {
    await client.end();
  }
  return out;
}

/** Runs statements on one connection inside the caller's transaction, explaining each new one first. */
class ExplainingExecutor implements SqlExecutor {
  readonly inTransaction = true;
  readonly plans: StatementPlan[] = [];
  recording = true;
  private readonly seen = new Set<string>();

  constructor(private readonly client: Client) {}

  async raw<Row>(sql: string, bindings: readonly unknown[] = []): Promise<{ rows: Row[] }> {
    const text = toPositionalSql(sql);
    if (this.recording && !this.seen.has(text) && !/pg_advisory/.test(text)) {
      this.seen.add(text);
      await this.client.query('SAVEPOINT explain');
      const result = await this.client.query(`EXPLAIN (ANALYZE, BUFFERS) ${text}`, bindings as unknown[]);
      await this.client.query('ROLLBACK TO SAVEPOINT explain');
      const plan = result.rows.map((row: Record<string, string>) => row['QUERY PLAN']);
      this.plans.push({ sql: text.replace(/\s+/g, ' ').trim(), plan, ...indexUse(plan) });
    }
    const result = await this.client.query(text, bindings as unknown[]);
    return { rows: result.rows as Row[] };
  }

  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return fn(this);
  }
}

export function indexUse(plan: readonly string[]): { indexes: string[]; seqScans: string[] } {
  const indexes = new Set<string>();
  const seqScans = new Set<string>();
  for (const line of plan) {
    for (const m of line.matchAll(/Index (?:Only )?Scan(?: Backward)? using (\S+)/g)) {
      indexes.add(m[1]);
    }
    for (const m of line.matchAll(/Bitmap Index Scan on (\S+)/g)) {
      indexes.add(m[1]);
    }
    for (const m of line.matchAll(/Seq Scan on (\S+)/g)) {
      seqScans.add(m[1]);
    }
  }
  return { indexes: [...indexes], seqScans: [...seqScans] };
}

function toFhirRequest(method: ExplainCall['method'], path: string, body: string | undefined, basePath: string): FhirRequest {
  const url = new URL(path, 'http://explain.local');
  return {
    method,
    path: url.pathname.slice(basePath.length).replace(/^\/+|\/+$/g, ''),
    query: url.searchParams,
    body: body === undefined ? undefined : JSON.parse(body),
    contentType: body === undefined ? undefined : 'application/fhir+json',
    headers: {},
  };
}

function nextLink(text: string | undefined): string | undefined {
  if (!text) {
    return undefined;
  }
  const bundle = JSON.parse(text) as { link?: { relation: string; url: string }[] };
  return bundle.link?.find((l) => l.relation === 'next')?.url;
}

export function formatPlans(plans: readonly WorkloadPlans[]): string {
  const lines: string[] = [];
  for (const p of plans) {
    lines.push('', `== EXPLAIN ${p.workload}: ${p.request.length > 160 ? p.request.slice(0, 160) + '...' : p.request}`);
    p.statements.forEach((s, i) => {
      const uses = s.indexes.length ? s.indexes.join(', ') : 'no index';
      const seq = s.seqScans.length ? `; SEQ SCAN on ${s.seqScans.join(', ')}` : '';
      lines.push(`-- statement ${i + 1}: uses ${uses}${seq}`, `   ${s.sql.length > 400 ? s.sql.slice(0, 400) + ' ...' : s.sql}`);
      lines.push(...s.plan.map((l) => `   | ${l}`));
    });
  }
  return lines.join('\n');
}
