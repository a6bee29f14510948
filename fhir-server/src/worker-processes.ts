import cluster, { type Worker } from 'node:cluster';
import { relaySignallingBetweenWorkers } from './http/signalling-hub';
import type { Logger } from './logger';

/**
 * The primary process of `WEB_CONCURRENCY > 1`: forks that many HTTP workers, which share the
 * listening port (node:cluster hands connections out round-robin), replaces a worker that
 * dies, and on SIGTERM/SIGINT asks every worker to shut down gracefully, then exits.
 * Workers are independent servers on the same database; nothing is cached between them. The
 * primary keeps the video signalling rooms, so the two participants of a room may be
 * connected to different workers.
 */
export function superviseWorkers(count: number, logger: Logger): void {
  let stopping = false;
  relaySignallingBetweenWorkers();
  const fork = (): Worker => cluster.fork();
  for (let i = 0; i < count; i++) {
    fork();
  }
  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        process.exit(0);
      }
      return;
    }
    logger.error('HTTP worker exited; starting another in a second', { pid: worker.process.pid, code, signal });
    setTimeout(fork, 1000);
  });
  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info('Shutting down workers', { signal });
    for (const worker of Object.values(cluster.workers ?? {})) {
      worker?.process.kill('SIGTERM');
    }
    setTimeout(() => process.exit(1), 15_000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
