import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { AccessToken } from './access-token';
import { createDatabase, dropDatabase, throwawayName } from './bench-database';
import { cleanupOnInterrupt } from './interrupt-cleanup';
import type { BenchOptions } from './options';
import { residentMB } from './process-memory';
import { startServer } from './server-process';

/** What `npm run bench -- --only documents` reports. */
export interface DocumentsReport {
  readonly bytes: number;
  readonly uploadMBps: number;
  readonly downloadMBps: number;
  /** Server resident set before the transfers and its peak (VmHWM) after, in MB. */
  readonly rssBeforeMB: number;
  readonly rssPeakMB: number;
}

const MB = 1024 * 1024;

/**
 * Streams one large document (100 MB, 10 MB with --quick) into `POST /fhir/Binary` and back
 * out of `GET /fhir/Binary/{id}`, against the server as a separate process storing in files,
 * and reports throughput and the server's peak resident memory: streaming keeps it far below
 * the document's size.
 */
export async function runDocumentsSuite(options: BenchOptions, log: (line: string) => void): Promise<DocumentsReport | undefined> {
  if (options.only.length > 0 && !options.only.includes('documents')) {
    return undefined;
  }
  const bytes = (options.quick ? 10 : 100) * MB;
  const name = throwawayName('medbuddy_bench_documents');
  const databaseUrl = await createDatabase(name);
  const dropDb = cleanupOnInterrupt(() => dropDatabase(name));
  const dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'medbuddy-bench-documents-'));
  try {
    const server = await startServer({
      databaseUrl,
      env: { ...options.serverEnv, DATA_DIR: dataDir, DOCUMENT_MAX_BYTES: String(bytes + MB) },
    });
    const stopServer = cleanupOnInterrupt(() => server.stop());
    try {
      const token = await new AccessToken(databaseUrl, server.origin).current();
      const patient = await request(
        server.origin,
        'POST',
        `${server.basePath}/Patient`,
        token,
        {
          'Content-Type': 'application/fhir+json',
        },
        Readable.from([Buffer.from('{"resourceType":"Patient"}')]),
      );
      const patientId = (JSON.parse(patient.body.toString('utf8')) as { id: string }).id;
      const rssBeforeMB = residentMB(server.pid, 'VmRSS');
      log(`documents: streaming ${bytes / MB} MB up and down (server RSS ${rssBeforeMB.toFixed(0)} MB)`);
      const uploadStart = process.hrtime.bigint();
      const created = await request(
        server.origin,
        'POST',
        `${server.basePath}/Binary`,
        token,
        { 'Content-Type': 'application/pdf', 'Content-Length': String(bytes), 'X-Security-Context': `Patient/${patientId}` },
        pdfStream(bytes),
      );
      const uploadSeconds = Number(process.hrtime.bigint() - uploadStart) / 1e9;
      if (created.status !== 201) {
        throw new Error(`upload failed: ${created.status} ${created.body.toString('utf8').slice(0, 300)}`);
      }
      const binaryId = (JSON.parse(created.body.toString('utf8')) as { id: string }).id;
      const downloadStart = process.hrtime.bigint();
      const downloaded = await request(server.origin, 'GET', `${server.basePath}/Binary/${binaryId}`, token, {}, undefined, true);
      const downloadSeconds = Number(process.hrtime.bigint() - downloadStart) / 1e9;
      if (downloaded.status !== 200 || downloaded.length !== bytes) {
        throw new Error(`download failed: ${downloaded.status}, ${downloaded.length} bytes`);
      }
      const report: DocumentsReport = {
        bytes,
        uploadMBps: bytes / MB / uploadSeconds,
        downloadMBps: bytes / MB / downloadSeconds,
        rssBeforeMB,
        rssPeakMB: residentMB(server.pid, 'VmHWM'),
      };
      log(
        `documents: upload ${report.uploadMBps.toFixed(1)} MB/s, download ${report.downloadMBps.toFixed(1)} MB/s, ` +
          `server RSS ${report.rssBeforeMB.toFixed(0)} MB before, peak ${report.rssPeakMB.toFixed(0)} MB`,
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

/** `%PDF-` then random bytes, generated as it is sent (the client holds 1 MB at a time). */
function pdfStream(bytes: number): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= bytes) {
        this.push(null);
        return;
      }
      const chunk = randomBytes(Math.min(MB, bytes - sent));
      if (sent === 0) {
        chunk.write('%PDF-1.7\n');
      }
      sent += chunk.length;
      this.push(chunk);
    },
  });
}

interface Answer {
  readonly status: number;
  /** The body, unless it was only counted. */
  readonly body: Buffer;
  readonly length: number;
}

function request(
  origin: string,
  method: string,
  path: string,
  token: string,
  headers: Record<string, string>,
  body?: Readable,
  countOnly = false,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${path}`, { method, headers: { ...headers, Authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        length += chunk.length;
        if (!countOnly) {
          chunks.push(chunk);
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), length }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) {
      body.pipe(req);
    } else {
      req.end();
    }
  });
}
