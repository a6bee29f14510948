import Koa from 'koa';
import { FULL_ACCESS } from './auth/access-context';
import type { Config } from './config';
import { createSearchParameterCatalog, loadFhirDefinitions } from './definitions';
import { packagedResourcesToSeed } from './definitions/package-folders';
import { seedPackagedResources } from './fhir/terminology/seed-packaged-resources';
import { oauthUris } from './auth/smart-configuration';
import { adminAccountRoutes } from './http/admin-account-routes';
import { authRoutes } from './http/auth-routes';
import { DocumentStorage } from './domain/documents/document-storage';
import { documentRoutes } from './http/document-routes';
import { apiDocs } from './http/api-docs';
import { BulkExporter } from './fhir/bulk-export/bulk-exporter';
import { bulkJobRoutes } from './http/bulk-job-routes';
import { bulkImportUpload } from './http/bulk-import-upload';
import { BulkImporter } from './fhir/bulk-import/bulk-importer';
import { fetchNdjson } from './integrations/ndjson-fetch';
import { endpointProblem } from './domain/subscriptions/endpoint-policy';
import { RequestAudit } from './domain/audit/request-audit';
import { BulkJobStore } from './storage/bulk-jobs';
import type { BulkJobTimings } from './fhir/bulk-jobs/bulk-job-runner';
import { fhirEndpoint, type FhirEndpointOptions } from './http/fhir-adapter';
import { createBlobStore } from './integrations/blob-stores';
import { healthRoutes, type ReadinessCheck } from './http/health-routes';
import { createMetrics } from './http/metrics';
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
import { runSlotHorizonTick, startSlotHorizonJob, type SlotHorizonJobDeps } from './jobs/slot-horizon-job';
import { AuditWriter } from './storage/audit-writer';
import { runExclusively } from './storage/exclusive-job';
import { openDatabase } from './storage/db';
import { queueStats } from './storage/queue-stats';
import { PgRepository } from './storage/pg-repository';
import { loadOrCreateSigningCredential } from './storage/signing-credentials';
import { SignedPrescriptionPdf } from './integrations/prescription-pdf';
import { createSelfSignedCredential } from './integrations/self-signed-certificate';
import { bootstrapSecurity, createSecurityServices, type SecurityServices } from './security-services';
import { startNoShowJob } from './jobs/no-show-job';
import { createVideoServices, type VideoServiceOptions } from './video-services';
import type { Server } from 'node:http';
import { signallingHubOfProcess } from './http/signalling-hub';
import { VideoSignalling } from './http/video-signalling';
import { SUBSCRIPTION_SOCKET_PATH } from './http/subscription-sockets';
import { answerClientErrors } from './http/client-errors';
import { attachWebSockets } from './http/websocket-upgrades';
import { SIGNALLING_PATH } from './integrations/webrtc-video';
import { principalFromClaims } from './auth/token-claims';
import { videoRoomPage } from './http/video-room-page';
import type { Clock } from './domain/notifications/clock';
import { createNotificationServices, type NotificationServices } from './notification-services';

export interface App {
  readonly app: Koa;
  /** The security services, for the CLI and tests (minting tokens, creating accounts). */
  readonly security: SecurityServices;
  /** Reminders, e-mail and Subscription deliveries (tests run a pass with `tick()`). */
  readonly notifications: NotificationServices;
  /** Stores the buffered AuditEvents of reads now (tests; shutdown does it by itself). */
  flushAudit(): Promise<void>;
  /** Runs one tick of the slot horizon job now (tests); false when another process ran that tick. */
  runSlotHorizonTick(tick: string, nowMs?: number): Promise<boolean>;
  /** One run of the no-show job now (it also runs every minute); the Appointment ids marked. */
  markNoShows(now?: Date): Promise<string[]>;
  /**
   * Lets the app answer what its HTTP server receives outside Koa: WebSocket upgrades (video
   * signalling, Subscription notifications) and requests Node's parser refuses.
   */
  attach(server: Server): void;
  /** Starts a graceful shutdown: `/readyz` answers 503 so load balancers stop sending requests. */
  drain(): void;
  /** Flushes the audit buffer and closes the database; the caller closes its HTTP server first. */
  close(): Promise<void>;
}

export type { SecurityServices, NotificationServices };

export interface AppOptions extends VideoServiceOptions {
  /** The clock of notification planning and sending (tests move it by hand). */
  readonly clock?: Clock;
  /** Lease and polling of Bulk Data jobs (tests shorten them to see a dead process's job taken over). */
  readonly bulkJobs?: BulkJobTimings;
}

const READINESS_TIMEOUT_MS = 2000;
/** An $import input's server must start answering within this. */
const IMPORT_FETCH_TIMEOUT_MS = 30_000;

/** The Koa app with its dependencies: database opened and migrated, definitions loaded. */
export async function buildApp(config: Config, logger: Logger = jsonLogger, options: AppOptions = {}): Promise<App> {
  loadFhirDefinitions();
  const db = await openDatabase(config.database, {
    onNestedQuery: ({ sql, stack }) =>
      logger.error('A statement waits for the open transaction its own code runs in (PGlite has one connection)', { sql, stack }),
  });
  await db.migrate();
  const searchParameters = createSearchParameterCatalog(config.profilesDir);
  const repo = new PgRepository(db.sql, FULL_ACCESS, undefined, { catalog: searchParameters, baseUrl: config.fhirBaseUrl });
  await repo.syncSearchParameters();
  await seedPackagedResources({ repo, access: FULL_ACCESS, baseUrl: config.fhirBaseUrl }, packagedResourcesToSeed());
  repo.startReindexWorker((error) => logger.error('Reindex job failed', { error: String((error as Error)?.stack ?? error) }));
  const signingCredential = await loadOrCreateSigningCredential(db.sql, 'platform-document-signing', () =>
    createSelfSignedCredential(`MedBuddy document signing (${new URL(config.publicUrl).host})`),
  );
  const security = await createSecurityServices(config, db.sql, repo);
  await bootstrapSecurity(config, security, logger);
  const { signer, revocations } = security;
  const video = createVideoServices(config, logger, signer.deriveSecret('video-room-tokens'), options);
  const webrtc = video.webrtc;
  const signalling = webrtc
    ? new VideoSignalling({
        verify: (token) => webrtc.verify(token),
        iceServers: (grant) => webrtc.iceServers(grant.identity, grant.expiresAt),
        hub: signallingHubOfProcess(config.security.redisUrl),
      })
    : undefined;
  if (webrtc && signalling) {
    webrtc.onRoomCompleted((room) => signalling.closeRoom(room));
  }
  const noShowJob = startNoShowJob(repo, config.fhirBaseUrl, video.consultations.settings, logger, config.video.noShowJobCron);
  const notifications = createNotificationServices(
    config,
    db.sql,
    repo,
    security.mailer,
    logger,
    {
      authenticate: async (token) => {
        const claims = await signer.verifyAccessToken(token);
        const principal = claims && !revocations.revokes(claims) ? principalFromClaims(claims) : undefined;
        return principal && claims ? { principal, expiresAt: new Date(claims.exp * 1000) } : undefined;
      },
      bindingKey: signer.deriveSecret('subscription-binding-tokens'),
      accountDisabled: (principal) => principal.kind === 'user' && revocations.isAccountDisabled(principal.accountId),
    },
    options.clock,
  );

  const documents = await openDocumentStorage(config, security);
  const auditWriter = new AuditWriter(
    db.sql,
    (message, details) => logger.error(message, details),
    (event) => repo.extractIndex(event),
  );
  const bulkExport = new BulkExporter(
    repo,
    new BulkJobStore(db.sql, 'export'),
    documents.blobs,
    config.fhirBaseUrl,
    logger,
    options.bulkJobs,
  );

  const slotJob: SlotHorizonJobDeps = {
    repo,
    horizonDays: config.scheduling.horizonDays,
    runExclusively: (job, tick, work) => runExclusively(db.sql, job, tick, work),
    logger,
  };
  const slotTask = config.scheduling.jobCron ? startSlotHorizonJob(slotJob, config.scheduling.jobCron) : undefined;
  let draining = false;
  const metrics = createMetrics(
    config.fhirBasePath,
    () => db.poolStats(),
    () => queueStats(db.sql),
  );
  const checks: ReadinessCheck[] = [
    { name: 'database', check: () => db.ping() },
    { name: 'blobs', check: () => documents.blobs.ready() },
  ];
  if (config.mail.smtpUrl) {
    checks.push({ name: 'mail', check: () => security.mailer.verify() });
  }

  const app = new Koa({ proxy: config.trustProxy });
  app.use(metrics.middleware);
  // Probes come every few seconds without a token: no access log line, AuditEvent or rate limit.
  app.use(healthRoutes({ checks, registry: metrics.registry, timeoutMs: READINESS_TIMEOUT_MS, draining: () => draining }));
  // Errors after the response started (a client leaving mid-download) reach Koa, not outcomeErrors.
  app.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'ERR_STREAM_PREMATURE_CLOSE' && error.code !== 'ECONNRESET' && error.code !== 'EPIPE') {
      logger.error('Response failed', { error: String(error?.stack ?? error) });
    }
  });
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
  if (signalling) {
    app.use(videoRoomPage());
  }
  app.use(
    authenticate({
      publicKeyPem: signer.publicKeyPem,
      issuer: signer.issuer,
      audience: signer.audience,
      isRevoked: (claims) => revocations.revokes(claims),
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
  // Each imported line is a REST update by the job's owner: the same services, access rules and audit.
  const bulkImport = new BulkImporter(new BulkJobStore(db.sql, 'import'), documents.blobs, {
    contexts: (principal, access, jobId) => {
      const trail = new RequestAudit({ principal, interaction: 'update', requestId: `import-${jobId}` });
      return {
        context: { ...endpoint, repo: repo.withAccess(access, trail), access },
        done: (status) => {
          const event = trail.finalEvent(status);
          if (event) {
            auditWriter.enqueue(event);
          }
        },
      };
    },
    open: (input) => (input.blobKey ? documents.blobs.read(input.blobKey) : fetchNdjson(input.url, IMPORT_FETCH_TIMEOUT_MS)),
    urlProblem: (url) =>
      endpointProblem(url, { allowedHosts: [], allowPrivateNetworks: config.notifications.hookPrivateNetworks }, 'the input url'),
    maxLineBytes: config.maxBodyBytes,
    log: logger,
    timings: options.bulkJobs,
  });
  app.use(adminAccountRoutes(security).routes());
  const endpoint: FhirEndpointOptions = {
    basePath: config.fhirBasePath,
    limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxJsonDepth },
    repo,
    baseUrl: config.fhirBaseUrl,
    oauth: uris,
    scheduling: config.scheduling,
    consultations: video.consultations,
    documents,
    prescriptionDocuments: new SignedPrescriptionPdf(signingCredential),
    bulkExport,
    subscriptionChannels: {
      tokens: notifications.bindingTokens,
      websocketUrl: websocketUrl(config.publicUrl),
      vapidPublicKey: config.notifications.webPush?.publicKey,
    },
    bulkImport,
  };
  app.use(apiDocs({ repo, baseUrl: config.fhirBaseUrl, oauth: uris }));
  app.use(documentRoutes({ ...endpoint, documents }));
  app.use(
    bulkJobRoutes({
      basePath: config.fhirBasePath,
      baseUrl: config.fhirBaseUrl,
      kinds: [bulkExport, bulkImport],
      blobs: documents.blobs,
      signingKey: config.documents.signedUrlSecret ?? security.signer.deriveSecret('bulk-file-urls'),
      signedUrlSeconds: config.documents.signedUrlSeconds,
    }),
  );
  app.use(
    bulkImportUpload({
      basePath: config.fhirBasePath,
      baseUrl: config.fhirBaseUrl,
      importer: bulkImport,
      blobs: documents.blobs,
      maxBytes: config.documents.maxBytes,
    }),
  );
  app.use(fhirEndpoint(endpoint));
  await bulkExport.resume();
  await bulkImport.resume();
  return {
    app,
    security,
    notifications,
    flushAudit: () => auditWriter.flush(),
    runSlotHorizonTick: (tick, nowMs) => runSlotHorizonTick(slotJob, tick, nowMs),
    markNoShows: (now) => noShowJob.run(now),
    attach: (server) => {
      attachWebSockets(server, { [SIGNALLING_PATH]: signalling, [SUBSCRIPTION_SOCKET_PATH]: notifications.sockets });
      answerClientErrors(server);
    },
    drain: () => {
      draining = true;
      // Open WebSockets would hold the HTTP server's close until the shutdown timeout.
      notifications.sockets.drain();
    },
    close: async () => {
      await slotTask?.destroy();
      await signalling?.close();
      await noShowJob.stop();
      await notifications.stop();
      await bulkExport.stop();
      await bulkImport.stop();
      await repo.stopReindexWorker();
      await auditWriter.close();
      await limiter.close();
      await security.mailer.close();
      await db.close();
    },
  };
}

/** The document storage on the configured blob store (bucket or folder created when missing). */
async function openDocumentStorage(config: Config, security: SecurityServices): Promise<DocumentStorage> {
  const settings = config.documents;
  const store = createBlobStore(settings.blobStore);
  await store.init();
  return new DocumentStorage(store, {
    maxBytes: settings.maxBytes,
    contentTypes: settings.contentTypes,
    signedUrlSeconds: settings.signedUrlSeconds,
    signingKey: settings.signedUrlSecret ?? security.signer.deriveSecret('signed-urls'),
    retention: settings.retention,
    publicUrl: config.publicUrl,
  });
}

/** `wss://host/subscriptions/ws` (`ws:` behind a plain-http public URL). */
function websocketUrl(publicUrl: string): string {
  const url = new URL(SUBSCRIPTION_SOCKET_PATH, publicUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/** CORS: the configured origins, the server's own, and the portals' dev servers outside production. */
function allowedOrigins(config: Config): string[] {
  const dev = config.production ? [] : ['http://localhost:4200', 'http://localhost:4201', 'http://127.0.0.1:4200', 'http://127.0.0.1:4201'];
  return [...config.security.corsOrigins, new URL(config.publicUrl).origin, ...dev];
}
