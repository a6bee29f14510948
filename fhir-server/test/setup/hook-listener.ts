import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HookCall {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  /** The body's bytes (an encrypted push message is not text). */
  readonly raw: Buffer;
}

export interface HookListener {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly calls: HookCall[];
  /** The status to answer on a path (default 200); `'hang'` never answers. */
  respond(path: string, answer: number | 'hang' | ((n: number) => number)): void;
  callsTo(path: string): HookCall[];
  close(): Promise<void>;
}

/** A real HTTP server in-process that records every request (rest-hook Subscription endpoints). */
export async function startHookListener(): Promise<HookListener> {
  const calls: HookCall[] = [];
  const answers = new Map<string, number | 'hang' | ((n: number) => number)>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const raw = Buffer.concat(chunks);
      calls.push({ path, headers: req.headers, body: raw.toString('utf8'), raw });
      const answer = answers.get(path) ?? 200;
      if (answer === 'hang') {
        return;
      }
      res.statusCode = typeof answer === 'function' ? answer(calls.filter((c) => c.path === path).length) : answer;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    respond: (path, answer) => void answers.set(path, answer),
    callsTo: (path) => calls.filter((c) => c.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
