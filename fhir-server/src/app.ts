import Koa from 'koa';
import { FULL_ACCESS } from './auth/access-context';
import type { Config } from './config';
import { createSearchParameterCatalog, loadFhirDefinitions } from './definitions';
import { packagedResourcesToSeed } from './definitions/package-folders';
import { seedPackagedResources } from './fhir/terminology/seed-packaged-resources';
import { oauthUris } from './auth/smart-configuration';
import { authRoutes } from './http/auth-routes';
import { healthRoutes, type ReadinessCheck } from './http/health-routes';
import { createMetrics } from './http/metrics';
import { fhirEndpoint } from './http/fhir-adapter';
import { auditEvents } from './http/middleware/audit-event';
import { authenticate } from './http/middleware/authenticate';
import { outcomeErrors } from './http/middleware/outcome-errors';
import { rateLimiter } from './http/middleware/rate-limit';
import { requestContext } from './http/middleware/request-context';
import { requireTls } from './http/middleware/require-tls';
import { portals } from './http/portals';
import { securityHeaders } from './http/middleware/security-headers';
import { smartRoutes } from './http/smart-routes';
import { jsonLogger, type Logger } from './logger';
import { AuditWriter } from './storage/audit-writer';
import { openDatabase } from './storage/db';
import { PgRepository } from './storage/pg-repository';
import { bootstrapSecurity, createSecurityServices, type SecurityServices } from './security-services';

export interface App {
  readonly app: Koa;
  /** The security services, for the CLI and tests (minting tokens, creating accounts). */
  readonly security: SecurityServices;
  /** Stores the buffered AuditEvents of reads now (tests; shutdown does it by itself). */
  flushAudit(): Promise<void>;
  /** Starts a graceful shutdown: `/readyz` answers 503 so load balancers stop sending requests. */
  drain(): void;
  /** Flushes the audit buffer and closes the database; the caller closes its HTTP server first. */
  close(): Promise<void>;
}

export type { SecurityServices };

const READINESS_TIMEOUT_MS = 2000;

/** The Koa app with its dependencies: database opened and migrated, definitions loaded. */
export async function buildApp(config: Config, logger: Logger = jsonLogger): Promise<App> {
  loadFhirDefinitions();
  const db = await openDatabase(config.database);
  await db.migrate();
  const searchParameters = createSearchParameterCatalog(config.profilesDir);
  const repo = new PgRepository(db.sql, FULL_ACCESS, undefined, { catalog: searchParameters, baseUrl: config.fhirBaseUrl });
  await repo.syncSearchParameters();
  await seedPackagedResources({ repo, access: FULL_ACCESS, baseUrl: config.fhirBaseUrl }, packagedResourcesToSeed());
  repo.startReindexWorker((error) => logger.error('Reindex job failed', { error: String((error as Error)?.stack ?? error) }));
  const security = await createSecurityServices(config, db.sql, repo);
  await bootstrapSecurity(config, security, logger);
  const { signer, revocations } = security;

  const auditWriter = new AuditWriter(
    db.sql,
    (message, details) => logger.error(message, details),
    (event) => repo.extractIndex(event),
  );

  let draining = false;
  const metrics = createMetrics(config.fhirBasePath, () => db.poolStats());
  const checks: ReadinessCheck[] = [{ name: 'database', check: () => db.ping() }];
  if (config.mail.smtpUrl) {
    checks.push({ name: 'mail', check: () => security.mailer.verify() });
  }

  const app = new Koa({ proxy: config.trustProxy });
  app.use(metrics.middleware);
  // Probes come every few seconds without a token: no access log line, AuditEvent or rate limit.
  app.use(healthRoutes({ checks, registry: metrics.registry, timeoutMs: READINESS_TIMEOUT_MS, draining: () => draining }));
  app.use(requestContext(config.logRequests ? logger : undefined));
  app.use(auditEvents((event) => auditWriter.enqueue(event)));
  app.use(outcomeErrors(logger));
  if (config.production) {
    app.use(requireTls());
  }
  for (const middleware of securityHeaders(allowedOrigins(config))) {
    app.use(middleware);
  }
  // Before authentication and rate limits: the portals' files are public and many per page.
  app.use(portals(config.portals, logger));
  app.use(
    authenticate({
      publicKeyPem: signer.publicKeyPem,
      issuer: signer.issuer,
      audience: signer.audience,
      isRevoked: (jti) => revocations.has(jti),
      lenient: (path) => path.startsWith('/auth/') || path.startsWith('/oauth2/') || path.includes('/.well-known/'),
    }),
  );
  const limiter = rateLimiter({
    perMinute: config.security.rateLimitPerMinute,
    authPerMinute: config.security.authRateLimitPerMinute,
    redisUrl: config.security.redisUrl,
  });
  app.use(limiter.middleware);
  const uris = oauthUris(config.publicUrl);
  const smart = smartRoutes({ security, uris, fhirBaseUrl: config.fhirBaseUrl, fhirBasePath: config.fhirBasePath, repo });
  app.use(smart.routes());
  app.use(authRoutes(security).routes());
  app.use(
    fhirEndpoint({
      basePath: config.fhirBasePath,
      limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxJsonDepth },
      repo,
      baseUrl: config.fhirBaseUrl,
      oauth: uris,
    }),
  );
  return {
    app,
    security,
    flushAudit: () => auditWriter.flush(),
    drain: () => {
      draining = true;
    },
    close: async () => {
      await repo.stopReindexWorker();
      await auditWriter.close();
      await limiter.close();
      await security.mailer.close();
      await db.close();
    },
  };
}

/** CORS: the configured origins, the server's own, and the portals' dev servers outside production. */
function allowedOrigins(config: Config): string[] {
  const dev = config.production ? [] : ['http://localhost:4200', 'http://localhost:4201', 'http://127.0.0.1:4200', 'http://127.0.0.1:4201'];
  return [...config.security.corsOrigins, new URL(config.publicUrl).origin, ...dev];
}
