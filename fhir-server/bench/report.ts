import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CpuUse } from './cpu-meter';
import type { LatencySummary } from './latency-stats';
import type { Goal } from './workload';

export interface WorkloadReport {
  readonly suite: string;
  readonly name: string;
  readonly title: string;
  readonly concurrency: number;
  readonly unit: 'req' | 'resources';
  readonly itemsPerRequest: number;
  readonly summary: LatencySummary;
  /** Raw PostgreSQL primary-key SELECTs per second at the same concurrency, same run. */
  readonly pgPrimaryKeySelectPerSecond?: number;
  readonly goal?: Goal;
  readonly errorSamples: readonly string[];
  readonly cpu?: CpuUse;
}

export interface BaselineReport {
  readonly suite: string;
  readonly concurrency: number;
  readonly summary: LatencySummary;
}

/** CPU time per request (per resource for transactions) of the server, PostgreSQL and the load generator. */
export function cpuPerItem(r: WorkloadReport): { server: number; postgres: number; bench: number; otherCores: number } | undefined {
  const items = r.summary.requests * r.itemsPerRequest;
  if (!r.cpu || items === 0) {
    return undefined;
  }
  const us = (ms: number): number => (ms * 1000) / items;
  return {
    server: us(r.cpu.serverMs),
    postgres: us(r.cpu.postgresMs),
    bench: us(r.cpu.benchMs),
    otherCores: r.cpu.otherMs / r.cpu.elapsedMs,
  };
}

export function formatCpu(r: WorkloadReport): string {
  const cpu = cpuPerItem(r);
  return cpu
    ? `CPU per ${r.unit === 'resources' ? 'resource' : 'request'}: server ${fmt(cpu.server)} us, PostgreSQL ${fmt(cpu.postgres)} us, load generator ${fmt(cpu.bench)} us; other processes ${cpu.otherCores.toFixed(2)} cores`
    : 'CPU not metered';
}

/** Whether a workload met its goal (errors always fail it). */
export function verdict(r: WorkloadReport): 'met' | 'MISSED' | '' {
  if (!r.goal) {
    return '';
  }
  if (r.summary.errors > 0) {
    return 'MISSED';
  }
  const ok = r.goal.kind === 'throughput' ? r.summary.throughput >= r.goal.target : r.summary.p95 <= r.goal.maxMs;
  return ok ? 'met' : 'MISSED';
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function goalColumns(goal: Goal | undefined): [string, string] {
  if (!goal) {
    return ['', ''];
  }
  if (goal.kind === 'throughput') {
    return [`${fmt(goal.reference)} (bare ${fmt(goal.bareKoaPg)})`, `>= ${fmt(goal.target)}/s`];
  }
  return ['', `p95 <= ${goal.maxMs} ms`];
}

/** The results table, one row per workload, then the PostgreSQL baselines. */
export function formatTable(reports: readonly WorkloadReport[], baselines: readonly BaselineReport[]): string {
  const header = [
    'suite',
    'workload',
    'conc',
    'requests',
    'throughput/s',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'errors',
    'vs PG PK',
    'reference/s',
    'target',
    'verdict',
  ];
  const rows = reports.map((r) => {
    const s = r.summary;
    const [reference, target] = goalColumns(r.goal);
    return [
      r.suite,
      `${r.name}: ${r.title}`,
      String(r.concurrency),
      fmt(s.requests),
      `${fmt(s.throughput)}${r.unit === 'resources' ? ' res' : ''}`,
      fmt(s.p50, 1),
      fmt(s.p95, 1),
      fmt(s.p99, 1),
      fmt(s.errors),
      r.pgPrimaryKeySelectPerSecond ? `${fmt((100 * s.throughput) / r.pgPrimaryKeySelectPerSecond, 1)}%` : '',
      reference,
      target,
      verdict(r),
      ...cpuColumns(r),
    ];
  });
  for (const b of baselines) {
    const s = b.summary;
    rows.push([
      b.suite,
      'raw PostgreSQL PK SELECT (pg Pool)',
      String(b.concurrency),
      fmt(s.requests),
      fmt(s.throughput),
      fmt(s.p50, 1),
      fmt(s.p95, 1),
      fmt(s.p99, 1),
      fmt(s.errors),
      '100%',
      '',
      '',
      '',
    ]);
  }
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const numeric = new Set([2, 3, 4, 5, 6, 7, 8, 9]);
  const line = (row: string[]): string =>
    row.map((cell, c) => (numeric.has(c) ? cell.padStart(widths[c]) : cell.padEnd(widths[c]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function cpuColumns(r: WorkloadReport): [string, string] {
  const cpu = cpuPerItem(r);
  return cpu ? [`${fmt(cpu.server)}/${fmt(cpu.postgres)}/${fmt(cpu.bench)}`, `${cpu.otherCores.toFixed(2)} cores`] : ['', ''];
}

export function formatErrors(reports: readonly WorkloadReport[]): string {
  return reports
    .filter((r) => r.errorSamples.length > 0)
    .map((r) => `${r.name}: ${r.summary.errors} errors, e.g.\n${r.errorSamples.map((e) => `  - ${e}`).join('\n')}`)
    .join('\n');
}

/** Writes bench-results/<timestamp>.json at the repository root (gitignored) and returns its path. */
export function writeJson(results: Record<string, unknown>): string {
  const dir = path.resolve(__dirname, '../../bench-results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify({ machine: machine(), ...results }, null, 2) + '\n');
  return file;
}

function machine(): Record<string, unknown> {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
  };
}
