import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { AccessToken } from './access-token';
import { cleanupOnInterrupt } from './interrupt-cleanup';
import type { BenchOptions } from './options';
import { residentMB } from './process-memory';
import { prepareAuditDatabase } from './audit-suite';
import { prepareSearchDatabase } from './search-database';
import { delay, startServer } from './server-process';
import type { ThrowawayDatabase } from './template-database';
import { pathOf } from './workload';

/** What `npm run bench -- --only export,export-audit` reports, per export. */
export interface ExportReport {
  readonly name: string;
  /** The kick-off request, below the FHIR base. */
  readonly request: string;
  /** Resources in the NDJSON files (all types, the generated set and what the server seeds). */
  readonly resources: number;
  /** Of those, of the generated data's types (checked against its size). */
  readonly generatedResources: number;
  readonly files: number;
  readonly ndjsonBytes: number;
  /** Kick-off to the completed manifest. */
  readonly exportSeconds: number;
  readonly resourcesPerSecond: number;
  /** Fetching every file afterwards. */
  readonly downloadSeconds: number;
  /** Server resident set before the kick-off and its peak (VmHWM) after the downloads, in MB. */
  readonly rssBeforeMB: number;
  readonly rssPeakMB: number;
  /** VmRSS while the export ran, every 5 s: flat when the export streams. */
  readonly rssSamplesMB: readonly number[];
}

/** The types the search data set generates (search-dataset.ts). */
const GENERATED_TYPES = new Set(['Patient', 'Practitioner', 'PractitionerRole', 'Schedule', 'Slot', 'Appointment', 'Organization']);
const POLL_MS = 500;
const TIMEOUT_MS = 3 * 3600_000;

interface Manifest {
  readonly output: { type: string; url: string; count?: number }[];
  readonly error?: unknown[];
}

/** One export run: the data, the kick-off and what the files must hold. */
interface ExportTarget {
  readonly name: 'export' | 'export-audit';
  readonly database: ThrowawayDatabase;
  /** The kick-off, below the FHIR base. */
  readonly request: string;
  /** The generated types, and a check of how many of them the files hold. */
  readonly generatedTypes: ReadonlySet<string>;
  readonly checkGenerated: (count: number) => string | undefined;
}

/**
 * Issue 13: a system-level `$export` by a `system/*.*` backend client, against the server as a
 * separate process writing its files to a temporary DATA_DIR: kick-off, status polling to the
 * manifest, then every file downloaded and its lines counted against the manifest. Reports
 * resources/s, total time, NDJSON bytes and the server's peak resident memory (streaming
 * keeps it flat). `export`: every type of the cached search data set (1.36M resources, 2%
 * with --quick); `export-audit`: `_type=AuditEvent` of the cached audit trail (1,000,000).
 */
export async function runExportSuite(options: BenchOptions, log: (line: string) => void): Promise<ExportReport[]> {
  const reports: ExportReport[] = [];
  if (options.only.length === 0 || options.only.includes('export')) {
    const database = await prepareSearchDatabase(options, log);
    const total = database.dataset.total;
    reports.push(
      await runExport(options, log, {
        name: 'export',
        database,
        request: '$export',
        generatedTypes: GENERATED_TYPES,
        checkGenerated: (count) => (count === total ? undefined : `the data set has ${total}`),
      }),
    );
  }
  if (options.only.length === 0 || options.only.includes('export-audit')) {
    const database = await prepareAuditDatabase(options, log);
    const events = database.data.size.events;
    reports.push(
      await runExport(options, log, {
        name: 'export-audit',
        database,
        request: '$export?_type=AuditEvent',
        generatedTypes: new Set(['AuditEvent']),
        // Plus the few the server records itself before the export's transaction time.
        checkGenerated: (count) => (count >= events && count <= events + 100 ? undefined : `the audit trail has ${events} (+ at most 100)`),
      }),
    );
  }
  return reports;
}

async function runExport(options: BenchOptions, log: (line: string) => void, target: ExportTarget): Promise<ExportReport> {
  const dropDb = cleanupOnInterrupt(() => target.database.drop());
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'medbuddy-bench-export-'));
  try {
    const server = await startServer({ databaseUrl: target.database.url, env: { ...options.serverEnv, DATA_DIR: dataDir } });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    try {
      const token = new AccessToken(target.database.url, server.origin);
      const rssBeforeMB = residentMB(server.pid, 'VmRSS');
      log(`${target.name}: GET ${server.basePath}/${target.request} (server RSS ${rssBeforeMB.toFixed(0)} MB)`);
      const started = performance.now();
      const kickOff = await get(server.origin, `${server.basePath}/${target.request}`, await token.current(), {
        Accept: 'application/fhir+json',
        Prefer: 'respond-async',
      });
      const location = kickOff.headers['content-location'];
      if (kickOff.status !== 202 || typeof location !== 'string') {
        throw new Error(`$export kick-off: ${kickOff.status} ${kickOff.body.slice(0, 300)}`);
      }
      const rssSamplesMB: number[] = [];
      const manifest = await poll(server.origin, pathOf(location), token, started, log, () =>
        rssSamplesMB.push(Math.round(residentMB(server.pid, 'VmRSS'))),
      );
      const exportSeconds = (performance.now() - started) / 1000;
      const downloadStarted = performance.now();
      let ndjsonBytes = 0;
      let resources = 0;
      let generatedResources = 0;
      for (const output of manifest.output) {
        const file = await countLines(server.origin, pathOf(output.url), await token.current());
        if (file.status !== 200 || file.lines !== output.count) {
          throw new Error(`${output.url}: ${file.status}, ${file.lines} lines, the manifest says ${output.count}`);
        }
        ndjsonBytes += file.bytes;
        resources += file.lines;
        generatedResources += target.generatedTypes.has(output.type) ? file.lines : 0;
      }
      const wrong = target.checkGenerated(generatedResources);
      if (wrong) {
        throw new Error(`${target.name}: the files hold ${generatedResources} resources of the generated types; ${wrong}`);
      }
      const report: ExportReport = {
        name: target.name,
        request: target.request,
        resources,
        generatedResources,
        files: manifest.output.length,
        ndjsonBytes,
        exportSeconds,
        resourcesPerSecond: resources / exportSeconds,
        downloadSeconds: (performance.now() - downloadStarted) / 1000,
        rssBeforeMB,
        rssPeakMB: residentMB(server.pid, 'VmHWM'),
        rssSamplesMB,
      };
      log(
        `${target.name}: ${resources.toLocaleString('en-US')} resources in ${report.files} files, ${(ndjsonBytes / 2 ** 20).toFixed(0)} MB NDJSON, ` +
          `${exportSeconds.toFixed(1)} s (${Math.round(report.resourcesPerSecond).toLocaleString('en-US')} resources/s), ` +
          `downloaded in ${report.downloadSeconds.toFixed(1)} s; server RSS ${rssBeforeMB.toFixed(0)} MB before, peak ${report.rssPeakMB.toFixed(0)} MB ` +
          `(every 5 s during the export: ${rssSamplesMB.join(', ')} MB)`,
      );
      return report;
    } finally {
      await stopServer();
    }
  } finally {
    await dropDb();
    await fsp.rm(dataDir, { recursive: true, force: true });
  }
}

/** Polls the status URL until the manifest (200); logs X-Progress when it changes; samples every 5 s. */
async function poll(
  origin: string,
  statusPath: string,
  token: AccessToken,
  started: number,
  log: (line: string) => void,
  sample: () => void,
): Promise<Manifest> {
  let progress = '';
  let sampledAt = -Infinity;
  while (performance.now() - started < TIMEOUT_MS) {
    if (performance.now() - sampledAt >= 5000) {
      sampledAt = performance.now();
      sample();
    }
    const status = await get(origin, statusPath, await token.current(), {});
    if (status.status === 200) {
      return JSON.parse(status.body) as Manifest;
    }
    if (status.status !== 202) {
      throw new Error(`export status: ${status.status} ${status.body.slice(0, 300)}`);
    }
    const now = String(status.headers['x-progress'] ?? '');
    if (now !== progress) {
      progress = now;
      log(`  ${((performance.now() - started) / 1000).toFixed(1)} s: ${progress}`);
    }
    await delay(POLL_MS);
  }
  throw new Error(`The export did not finish within ${TIMEOUT_MS / 60_000} minutes`);
}

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

function get(origin: string, urlPath: string, token: string, headers: Record<string, string>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get(`${origin}${urlPath}`, { headers: { ...headers, Authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Streams a file, counting bytes and newlines (an NDJSON file can be far larger than memory should hold). */
function countLines(origin: string, urlPath: string, token: string): Promise<{ status: number; bytes: number; lines: number }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${origin}${urlPath}`, { headers: { Accept: 'application/fhir+ndjson', Authorization: `Bearer ${token}` } }, (res) => {
        let bytes = 0;
        let lines = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
            lines++;
          }
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, lines }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}
