import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A file the server serves: its lines, sent all at once or one every `delayMs`. */
export interface NdjsonFile {
  readonly lines: readonly string[];
  readonly delayMs?: number;
}

export interface NdjsonServer {
  /** `http://127.0.0.1:<port>/<name>` */
  url(name: string): string;
  /** Serves (or replaces) a file at `/<name>`. */
  put(name: string, file: NdjsonFile): void;
  /** How many times each path was requested. */
  readonly requests: Map<string, number>;
  close(): Promise<void>;
}

/** A real HTTP server serving NDJSON files, as an EHR or a bucket would for $import; unknown paths are 404. */
export async function startNdjsonServer(): Promise<NdjsonServer> {
  const files = new Map<string, NdjsonFile>();
  const requests = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const name = (req.url ?? '/').slice(1);
    requests.set(name, (requests.get(name) ?? 0) + 1);
    const file = files.get(name);
    if (!file) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/fhir+ndjson' });
    if (!file.delayMs) {
      res.end(file.lines.map((line) => `${line}\n`).join(''));
      return;
    }
    let next = 0;
    const timer = setInterval(() => {
      if (next >= file.lines.length || res.destroyed) {
        clearInterval(timer);
        res.end();
        return;
      }
      res.write(`${file.lines[next++]}\n`);
    }, file.delayMs);
    res.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: (name) => `${base}/${name}`,
    put: (name, file) => files.set(name, file),
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
