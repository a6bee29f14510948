import type { BenchOptions } from './options';
import { isSelected } from './options';
import { explainWorkload, formatPlans, type WorkloadPlans } from './explain';
import type { LatencySummary } from './latency-stats';
import { measurePgPrimaryKeySelect } from './pg-baseline';
import { formatCpu, type BaselineReport, type WorkloadReport } from './report';
import type { Timing, Workload } from './workload';

export interface SuiteResults {
  readonly reports: WorkloadReport[];
  readonly baselines: BaselineReport[];
  readonly plans: WorkloadPlans[];
}

export interface SuiteSetup<Context> {
  readonly suite: string;
  readonly options: BenchOptions;
  readonly timing: Timing;
  readonly baselineMs: number;
  readonly databaseUrl: string;
  readonly basePath: string;
  readonly context: Context;
  readonly log: (line: string) => void;
  /** Run before each workload (e.g. refresh the access token). */
  readonly beforeWorkload?: () => Promise<void>;
  /** Ids for the raw PostgreSQL baseline, read when it is first needed. */
  readonly baselineIds: () => { resourceType: string; ids: readonly string[] };
}

export function selectedWorkloads<Context>(options: BenchOptions, suite: string, all: readonly Workload<Context>[]): Workload<Context>[] {
  return all.filter((w) => isSelected(options, suite, w.name));
}

/** Runs workloads in order, with the PostgreSQL baseline at each concurrency and, if asked, the plans. */
export async function runWorkloads<Context>(
  setup: SuiteSetup<Context>,
  workloads: readonly Workload<Context>[],
  results: SuiteResults,
): Promise<void> {
  const baselines = new Map<number, LatencySummary>();
  for (const workload of workloads) {
    setup.log(`${setup.suite}/${workload.name}: ${workload.title}, concurrency ${workload.concurrency}...`);
    await setup.beforeWorkload?.();
    const measured = await workload.run(setup.context, setup.timing);
    const summary = measured.recorder.summarize(measured.elapsedMs, workload.itemsPerRequest);
    let baseline = baselines.get(workload.concurrency);
    if (!baseline) {
      const { resourceType, ids } = setup.baselineIds();
      baseline = await measurePgPrimaryKeySelect({
        databaseUrl: setup.databaseUrl,
        concurrency: workload.concurrency,
        durationMs: setup.baselineMs,
        resourceType,
        ids,
      });
      baselines.set(workload.concurrency, baseline);
      results.baselines.push({ suite: setup.suite, concurrency: workload.concurrency, summary: baseline });
    }
    results.reports.push({
      suite: setup.suite,
      name: workload.name,
      title: workload.title,
      concurrency: workload.concurrency,
      unit: workload.unit,
      itemsPerRequest: workload.itemsPerRequest ?? 1,
      summary,
      pgPrimaryKeySelectPerSecond: baseline.throughput,
      goal: workload.goal,
      errorSamples: measured.recorder.errorSamples,
      cpu: measured.cpu,
    });
    setup.log(
      `  ${Math.round(summary.throughput)}/s${workload.unit === 'resources' ? ' resources' : ''}, p50 ${summary.p50.toFixed(1)} ms, p95 ${summary.p95.toFixed(1)} ms, p99 ${summary.p99.toFixed(1)} ms, ${summary.errors} errors; ${formatCpu(results.reports[results.reports.length - 1])}`,
    );
    if (setup.options.explain && workload.explainCalls) {
      const plans = await explainWorkload(setup.databaseUrl, setup.basePath, workload.name, workload.explainCalls(setup.context));
      results.plans.push(...plans);
      setup.log(formatPlans(plans));
    }
  }
}
