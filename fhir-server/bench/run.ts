import { formatErrors, formatTable, verdict, writeJson } from './report';
import { installInterruptHandler } from './interrupt-cleanup';
import { runAuditSuite } from './audit-suite';
import { AUDIT_WORKLOADS } from './audit-workloads';
import { runCoreSuite } from './core-suite';
import { runDocumentsSuite } from './documents-suite';
import { runBulkSuite } from './bulk-suite';
import { runExportSuite } from './export-suite';
import { CORE_WORKLOADS } from './core-workloads';
import { BOOKING_WORKLOADS } from './booking-workloads';
import { SEARCH_WORKLOADS } from './search-workloads';
import { parseOptions, USAGE } from './options';
import { runSchedulingSuite } from './scheduling-suite';
import { runSearchSuite } from './search-suite';
import { buildServer } from './server-process';
import type { SuiteResults } from './suite-runner';
import type { Timing } from './workload';

/**
 * `npm run bench`: builds the server, starts it as a separate process on a throwaway PostgreSQL
 * database (DATABASE_URL, default 127.0.0.1:5432), drives it over keep-alive HTTP, and prints
 * throughput and latency per workload next to raw PostgreSQL primary-key SELECT throughput.
 */
async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return 0;
  }
  const known = new Set([
    'core',
    'search',
    'scheduling',
    'documents',
    'bulk',
    'audit',
    'export',
    'export-audit',
    ...CORE_WORKLOADS.map((w) => w.name),
    ...SEARCH_WORKLOADS.map((w) => w.name),
    ...BOOKING_WORKLOADS.map((w) => w.name),
    ...AUDIT_WORKLOADS.map((w) => w.name),
  ]);
  const unknown = options.only.filter((name) => !known.has(name));
  if (unknown.length > 0) {
    throw new Error(`Unknown workload or suite: ${unknown.join(', ')}\n\n${USAGE}`);
  }
  installInterruptHandler();
  const log = (line: string): void => console.log(line);
  const measuredMs = (options.durationSeconds ?? (options.quick ? 3 : 20)) * 1000;
  const timing: Timing = {
    durationMs: measuredMs,
    warmupMs: options.quick ? 1000 : 3000,
    countScale: options.quick ? 0.1 : 1,
  };
  const baselineMs = options.quick ? 1500 : 5000;
  log('Building the server (npm run build)...');
  buildServer();
  const startedAt = new Date().toISOString();
  const results: SuiteResults = { reports: [], baselines: [], plans: [] };
  await runCoreSuite(options, timing, baselineMs, log, results);
  await runSearchSuite(options, timing, baselineMs, log, results);
  await runSchedulingSuite(options, timing, baselineMs, log, results);
  await runAuditSuite(options, timing, baselineMs, log, results);
  const documents = await runDocumentsSuite(options, log);
  const bulk = await runBulkSuite(options, log);
  const bulkExport = await runExportSuite(options, log);
  if (results.reports.length > 0) {
    log('');
    log(formatTable(results.reports, results.baselines));
  }
  const errors = formatErrors(results.reports);
  if (errors) {
    log('');
    log(errors);
  }
  const file = writeJson({
    startedAt,
    options,
    timing,
    ...results,
    documents,
    bulk,
    export: bulkExport,
    verdicts: results.reports.map((r) => ({ name: r.name, verdict: verdict(r) })),
  });
  log('');
  log(`Results written to ${file}`);
  return results.reports.some((r) => r.summary.errors > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
