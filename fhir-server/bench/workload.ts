import type { HttpCall, LoadGenerator, LoadResult, Session } from './load-generator';

/** What a workload is judged against. */
export type Goal =
  /** Issue 2: throughput of the reference server, of bare Koa + pg, and our target (5x the reference). */
  | { readonly kind: 'throughput'; readonly reference: number; readonly bareKoaPg: number; readonly target: number }
  /** Issue 3: a p95 latency ceiling. */
  | { readonly kind: 'p95'; readonly maxMs: number };

export interface Workload<Context> {
  /** Short name for `--only` and the JSON results. */
  readonly name: string;
  /** What is sent, e.g. `POST Patient`. */
  readonly title: string;
  readonly concurrency: number;
  /** What the throughput counts: `req` or `resources` (transaction entries). */
  readonly unit: 'req' | 'resources';
  /** Resources per request, for throughput in resources/s. */
  readonly itemsPerRequest?: number;
  readonly goal?: Goal;
  /** Warms up, then measures; returns the measured part only. */
  run(context: Context, timing: Timing): Promise<LoadResult>;
  /** Requests whose SQL `--explain` shows (each dispatched in-process on the same database). */
  explainCalls?(context: Context): ExplainCall[];
}

export interface ExplainCall extends HttpCall {
  /** Follow `next` links this many times and explain the last page (paging). */
  readonly followNext?: number;
}

export interface Timing {
  readonly durationMs: number;
  readonly warmupMs: number;
  /** Scale for count-based workloads (creates, bundles): 1 normally, smaller with --quick. */
  readonly countScale: number;
}

/** Runs a duration-bound workload: a warm-up whose numbers are thrown away, then the measured run. */
export async function warmThenMeasure(
  load: LoadGenerator,
  concurrency: number,
  timing: Timing,
  task: (session: Session, index: number) => Promise<void>,
): Promise<LoadResult> {
  await load.run({ concurrency, durationMs: timing.warmupMs, task, warmup: true });
  return load.run({ concurrency, durationMs: timing.durationMs, task });
}

/** Checks one sampled response in `every`; a wrong answer counts as an error with its reason. */
export function sampled(index: number, every = 25): boolean {
  return index % every === 0;
}

export function fail(message: string): never {
  throw new Error(message);
}

export interface SearchsetSummary {
  readonly matches: { resourceType: string; id: string; resource: Record<string, unknown> }[];
  readonly includes: { resourceType: string; id: string }[];
  readonly next?: string;
}

/** The parts of a searchset Bundle the checks look at. */
export function readSearchset(text: string): SearchsetSummary {
  const bundle = JSON.parse(text) as {
    entry?: { resource: { resourceType: string; id: string }; search?: { mode?: string } }[];
    link?: { relation: string; url: string }[];
  };
  const entries = bundle.entry ?? [];
  return {
    matches: entries.filter((e) => e.search?.mode !== 'include').map((e) => ({ ...e.resource, resource: e.resource })),
    includes: entries.filter((e) => e.search?.mode === 'include').map((e) => e.resource),
    next: bundle.link?.find((l) => l.relation === 'next')?.url,
  };
}

/** `http://host:port/fhir/Patient?x` -> `/fhir/Patient?x`. */
export function pathOf(url: string): string {
  const parsed = new URL(url);
  return parsed.pathname + parsed.search;
}

export function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)];
}

export function randomInt(below: number): number {
  return Math.floor(Math.random() * below);
}
