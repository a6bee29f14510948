import fsp from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Observation } from '@medplum/fhirtypes';
import { AccessToken } from './access-token';
import { createDatabase, dropDatabase, throwawayName } from './bench-database';
import { residentMB } from './process-memory';
import { cleanupOnInterrupt } from './interrupt-cleanup';
import type { BenchOptions } from './options';
import { delay, startServer } from './server-process';
import { loadThroughStorage } from './storage-loader';

/** What `npm run bench -- --only bulk` reports. */
export interface BulkReport {
  readonly resources: number;
  readonly exportSeconds: number;
  readonly exportPerSecond: number;
  readonly exportFileMB: number;
  /** Server resident set before the export and its peak (VmHWM) after export and import, in MB. */
  readonly rssBeforeMB: number;
  readonly rssPeakMB: number;
  readonly importResources: number;
  readonly importPerSecond: number;
}

/**
 * Bulk Data: loads 1,000,000 Observations (20,000 with --quick) through the storage layer,
 * exports them with `$export` from the server as a separate process, reads the NDJSON file
 * back, then imports a slice of it again with `$import` (each line a validated update), and
 * reports resources per second and the server's peak resident memory: the export streams, so
 * the peak stays far below the file's size.
 */
export async function runBulkSuite(options: BenchOptions, log: (line: string) => void): Promise<BulkReport | undefined> {
  if (options.only.length > 0 && !options.only.includes('bulk')) {
    return undefined;
  }
  const count = options.quick ? 20_000 : 1_000_000;
  const importCount = options.quick ? 1_000 : 10_000;
  const name = throwawayName('medbuddy_bench_bulk');
  const databaseUrl = await createDatabase(name);
  const dropDb = cleanupOnInterrupt(() => dropDatabase(name));
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'medbuddy-bench-bulk-'));
  try {
    log(`bulk: loading ${count} Observations`);
    await loadThroughStorage(databaseUrl, observations(count), {
      onProgress: ({ written, elapsedMs }) => log(`bulk: ${written} loaded (${Math.round(written / (elapsedMs / 1000))}/s)`),
    });
    const server = await startServer({ databaseUrl, env: { ...options.serverEnv, DATA_DIR: dataDir } });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    const files = await serveLines();
    try {
      const token = await new AccessToken(databaseUrl, server.origin).current();
      const auth = { Authorization: `Bearer ${token}` };
      const rssBeforeMB = residentMB(server.pid, 'VmRSS');
      const exportStart = performance.now();
      const kickoff = await fetch(`${server.origin}${server.basePath}/$export?_type=Observation`, {
        headers: { ...auth, Prefer: 'respond-async' },
      });
      const manifest = (await poll(kickoff, auth)) as { output: { url: string; count: number }[] };
      const exportSeconds = (performance.now() - exportStart) / 1000;
      const exported = manifest.output.reduce((sum, o) => sum + o.count, 0);
      if (exported !== count) {
        throw new Error(`the export counted ${exported} Observations, not ${count}`);
      }
      // The signed file link needs no token; the first lines are imported again below.
      const file = await fetch(manifest.output[0].url.replace(/^https?:\/\/[^/]+/, server.origin));
      const { bytes, lines, head } = await countLines(file, importCount);
      if (lines !== count) {
        throw new Error(`the NDJSON file has ${lines} lines, not ${count}`);
      }
      log(
        `bulk: exported ${count} in ${exportSeconds.toFixed(1)} s (${Math.round(count / exportSeconds)}/s), ${(bytes / 1e6).toFixed(0)} MB`,
      );
      files.lines = head;
      const importStart = performance.now();
      const importKickoff = await fetch(`${server.origin}${server.basePath}/$import`, {
        method: 'POST',
        headers: { ...auth, 'Content-Type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Parameters', parameter: [{ name: 'input', part: [{ name: 'url', valueUri: files.url }] }] }),
      });
      const imported = (await poll(importKickoff, auth)) as { output: { count: number }[] };
      const importSeconds = (performance.now() - importStart) / 1000;
      if (imported.output[0]?.count !== importCount) {
        throw new Error(`the import wrote ${imported.output[0]?.count} of ${importCount} resources`);
      }
      const report: BulkReport = {
        resources: count,
        exportSeconds,
        exportPerSecond: count / exportSeconds,
        exportFileMB: bytes / 1e6,
        rssBeforeMB,
        rssPeakMB: residentMB(server.pid, 'VmHWM'),
        importResources: importCount,
        importPerSecond: importCount / importSeconds,
      };
      log(
        `bulk: $export ${Math.round(report.exportPerSecond)} resources/s, $import ${Math.round(report.importPerSecond)} resources/s, ` +
          `server RSS ${report.rssBeforeMB.toFixed(0)} MB before, peak ${report.rssPeakMB.toFixed(0)} MB`,
      );
      return report;
    } finally {
      await files.close();
      await stopServer();
    }
  } finally {
    await dropDb();
    await fsp.rm(dataDir, { recursive: true, force: true });
  }
}

function* observations(count: number): Generator<Observation & { id: string }> {
  for (let i = 0; i < count; i++) {
    yield {
      resourceType: 'Observation',
      id: `bulk-${i}`,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
      subject: { reference: `Patient/bulk-patient-${i % 1000}` },
      effectiveDateTime: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      valueQuantity: { value: 60 + (i % 40), unit: 'beats/min', system: 'http://unitsofmeasure.org', code: '/min' },
    };
  }
}

/** Follows the status URL of a kick-off (202 + Content-Location) until the manifest is there. */
async function poll(kickoff: Response, auth: Record<string, string>): Promise<unknown> {
  const status = kickoff.headers.get('content-location');
  if (kickoff.status !== 202 || !status) {
    throw new Error(`kick-off answered ${kickoff.status}: ${(await kickoff.text()).slice(0, 300)}`);
  }
  const statusPath = new URL(status).pathname;
  const origin = new URL(kickoff.url).origin;
  for (;;) {
    const res = await fetch(`${origin}${statusPath}`, { headers: auth });
    if (res.status === 200) {
      return res.json();
    }
    if (res.status !== 202) {
      throw new Error(`${statusPath} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    await delay(500);
  }
}

/** Reads an NDJSON response as it streams: its size, its line count and its first `keep` lines. */
async function countLines(res: Response, keep: number): Promise<{ bytes: number; lines: number; head: string[] }> {
  if (res.status !== 200 || !res.body) {
    throw new Error(`the export file answered ${res.status}`);
  }
  let bytes = 0;
  let lines = 0;
  let partial = '';
  const head: string[] = [];
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    const text = partial + decoder.decode(chunk, { stream: true });
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      lines++;
      if (head.length < keep) {
        head.push(line);
      }
    }
  }
  return { bytes, lines: lines + (partial ? 1 : 0), head };
}

/** A local HTTP server the server fetches the $import input from. */
async function serveLines(): Promise<{ url: string; lines: string[]; close(): Promise<void> }> {
  const state = { lines: [] as string[] };
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/fhir+ndjson' });
    res.end(state.lines.join('\n') + '\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/observations.ndjson`,
    get lines() {
      return state.lines;
    },
    set lines(value: string[]) {
      state.lines = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
