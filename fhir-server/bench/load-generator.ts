import { Pool } from 'undici';
import type { CpuMeter, CpuUse } from './cpu-meter';
import { LatencyRecorder } from './latency-stats';

export interface HttpCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path and query below the server origin, e.g. `/fhir/Patient/123`. */
  readonly path: string;
  readonly body?: string;
  /** Status that counts as success (or several, e.g. 201 or 409 for a contended booking); anything else is an error. */
  readonly expect: number | readonly number[];
}

export interface HttpReply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/** What a task sees: one keep-alive HTTP client whose calls are timed and checked. */
export interface Session {
  call(call: HttpCall): Promise<HttpReply>;
}

export interface LoadOptions {
  readonly concurrency: number;
  /** Stop after this many tasks (in total over all virtual users)... */
  readonly tasks?: number;
  /** ...or after this long (a task already running finishes). */
  readonly durationMs?: number;
  /** One unit of work: usually one request, several for a paging walk. `index` counts tasks from 0. */
  readonly task: (session: Session, index: number) => Promise<void>;
  /** A warm-up run: its figures are thrown away, so it is not CPU-metered. */
  readonly warmup?: boolean;
}

export interface LoadResult {
  readonly recorder: LatencyRecorder;
  readonly elapsedMs: number;
  /** CPU time by process during the run, when a meter is attached. */
  readonly cpu?: CpuUse;
}

/** Raw `[name, value, name, value, ...]` header buffers -> lower-case name map. */
function headerObject(raw: Buffer[] | string[] | null): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; raw && i + 1 < raw.length; i += 2) {
    headers[raw[i].toString().toLowerCase()] = raw[i + 1].toString();
  }
  return headers;
}

/**
 * Closed-loop load: `concurrency` virtual users, each on its own keep-alive connection, run
 * tasks back to back. Latency is measured per request from send until the body is read.
 */
export class LoadGenerator {
  private readonly pool: Pool;

  /** Attached once the server runs: meters every measured (non-warm-up) run. */
  cpuMeter?: CpuMeter;
  private acceptHeaders: Record<string, string> = { accept: 'application/fhir+json' };
  private jsonHeaders: Record<string, string> = { ...this.acceptHeaders, 'content-type': 'application/fhir+json' };

  constructor(origin: string, maxConnections: number) {
    this.pool = new Pool(origin, { connections: maxConnections, pipelining: 1, keepAliveTimeout: 60_000 });
  }

  /** Sends `Authorization: Bearer <token>` with every request from now on. */
  authorize(token: string): void {
    this.acceptHeaders = { accept: 'application/fhir+json', authorization: `Bearer ${token}` };
    this.jsonHeaders = { ...this.acceptHeaders, 'content-type': 'application/fhir+json' };
  }

  async run(options: LoadOptions): Promise<LoadResult> {
    const recorder = new LatencyRecorder();
    const session = this.session(recorder);
    const stopMeter = options.warmup ? undefined : await this.cpuMeter?.start();
    const started = performance.now();
    const deadline = options.durationMs === undefined ? Infinity : started + options.durationMs;
    const limit = options.tasks ?? Infinity;
    let issued = 0;
    const user = async (): Promise<void> => {
      while (issued < limit && performance.now() < deadline) {
        const index = issued++;
        try {
          await options.task(session, index);
        } catch (error) {
          recorder.addError(String((error as Error)?.message ?? error));
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, user));
    const elapsedMs = performance.now() - started;
    return { recorder, elapsedMs, cpu: await stopMeter?.() };
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private session(recorder: LatencyRecorder): Session {
    return {
      call: async (call) => {
        const started = performance.now();
        const reply = await this.send(call);
        recorder.add(performance.now() - started);
        if (typeof call.expect === 'number' ? reply.status !== call.expect : !call.expect.includes(reply.status)) {
          recorder.addError(`${call.method} ${call.path.slice(0, 120)} -> ${reply.status} ${reply.text.slice(0, 300)}`);
        }
        return reply;
      },
    };
  }

  /**
   * One request through undici's dispatch API: the response body is collected as raw chunks,
   * without the stream object `request()` builds for each response, so the load generator
   * takes less of the CPU it shares with the server.
   */
  private send(call: HttpCall): Promise<HttpReply> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let headers: HttpReply['headers'] = {};
      this.pool.dispatch(
        { method: call.method, path: call.path, headers: call.body === undefined ? this.acceptHeaders : this.jsonHeaders, body: call.body },
        {
          onConnect() {},
          onHeaders(statusCode, rawHeaders) {
            status = statusCode;
            headers = headerObject(rawHeaders);
            return true;
          },
          onData(chunk) {
            chunks.push(chunk);
            return true;
          },
          onComplete() {
            resolve({ status, headers, text: (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8') });
          },
          onError(error) {
            reject(error);
          },
        },
      );
    });
  }
}
