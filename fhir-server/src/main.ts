import cluster from 'node:cluster';
import http from 'node:http';
import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { jsonLogger } from './logger';
import { superviseWorkers } from './worker-processes';

/**
 * Process entry: config -> app -> listen, with graceful shutdown on SIGTERM/SIGINT. With
 * WEB_CONCURRENCY > 1 this process only supervises that many workers, each running the same.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  if (config.workers > 1 && cluster.isPrimary) {
    superviseWorkers(config.workers, jsonLogger);
    return;
  }
  const { app, attach, drain, close } = await buildApp(config);
  const server = http.createServer(app.callback());
  attach(server);
  let draining = false;
  // While draining, every answer closes its connection: keep-alive clients under load would
  // otherwise hold their sockets open past the shutdown limit.
  server.prependListener('request', (_request, response) => {
    if (draining) {
      response.setHeader('Connection', 'close');
    }
  });
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, () => {
    jsonLogger.info('MedBuddy FHIR server listening', {
      url: config.fhirBaseUrl,
      database: config.database.kind === 'postgres' ? 'postgres' : `pglite:${config.database.dataDir ?? 'memory'}`,
    });
  });
  // Readiness fails first, so a load balancer stops sending requests; those in flight finish
  // (server.close waits for them), then the audit buffer is flushed and the pool closed.
  const shutdown = (signal: string): void => {
    jsonLogger.info('Shutting down', { signal });
    draining = true;
    drain();
    server.close(() => {
      close().then(
        () => process.exit(0),
        (error: unknown) => {
          jsonLogger.error('Shutdown failed', { error: String((error as Error)?.stack ?? error) });
          process.exit(1);
        },
      );
    });
    // Requests that were in flight at the signal answered keep-alive: close their sockets as they go idle.
    setInterval(() => server.closeIdleConnections(), 100).unref();
    setTimeout(() => {
      jsonLogger.error('Shutdown did not finish within 10 s; exiting');
      process.exit(1);
    }, 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  const message = error instanceof ConfigError ? error.message : String(error?.stack ?? error);
  jsonLogger.error('Failed to start', { error: message });
  process.exit(1);
});
