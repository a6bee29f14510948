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
  const { app, attach, close } = await buildApp(config);
  const server = http.createServer(app.callback());
  attach(server);
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, () => {
    jsonLogger.info('MedBuddy FHIR server listening', {
      url: config.fhirBaseUrl,
      database: config.database.kind === 'postgres' ? 'postgres' : `pglite:${config.database.dataDir ?? 'memory'}`,
    });
  });
  const shutdown = (signal: string): void => {
    jsonLogger.info('Shutting down', { signal });
    server.close(() => {
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error) => {
  const message = error instanceof ConfigError ? error.message : String(error?.stack ?? error);
  jsonLogger.error('Failed to start', { error: message });
  process.exit(1);
});
