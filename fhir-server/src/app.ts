import Koa from 'koa';
import type { Config } from './config';
import { loadFhirDefinitions } from './definitions';
import { RevocationList } from './domain/accounts/revocation-list';
import { TokenSigner } from './domain/accounts/token-signer';
import { fhirEndpoint } from './http/fhir-adapter';
import { authenticate } from './http/middleware/authenticate';
import { outcomeErrors } from './http/middleware/outcome-errors';
import { requestContext } from './http/middleware/request-context';
import { jsonLogger, type Logger } from './logger';
import { AccountStore } from './storage/account-store';
import { openDatabase } from './storage/db';
import { PgRepository } from './storage/pg-repository';

export interface App {
  readonly app: Koa;
  /** The security services, for the CLI and tests (minting tokens, creating accounts). */
  readonly security: SecurityServices;
  /** Closes the database; the caller closes its HTTP server first. */
  close(): Promise<void>;
}

export interface SecurityServices {
  readonly signer: TokenSigner;
  readonly store: AccountStore;
  readonly revocations: RevocationList;
}

/** The Koa app with its dependencies: database opened and migrated, definitions loaded. */
export async function buildApp(config: Config, logger: Logger = jsonLogger): Promise<App> {
  loadFhirDefinitions();
  const db = await openDatabase(config.database);
  await db.migrate();
  const repo = new PgRepository(db.sql);
  const store = new AccountStore(db.sql);
  const signer = await TokenSigner.create(
    { issuer: config.publicUrl, audience: config.fhirBaseUrl, privateKeyPem: config.security.jwtPrivateKeyPem },
    store,
  );
  const revocations = new RevocationList(store);
  await revocations.reload();

  const app = new Koa({ proxy: config.trustProxy });
  app.use(requestContext(config.logRequests ? logger : undefined));
  app.use(outcomeErrors(logger));
  app.use(
    authenticate({
      publicKeyPem: signer.publicKeyPem,
      issuer: signer.issuer,
      audience: signer.audience,
      isRevoked: (jti) => revocations.has(jti),
    }),
  );
  app.use(
    fhirEndpoint({
      basePath: config.fhirBasePath,
      limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxJsonDepth },
      repo,
      baseUrl: config.fhirBaseUrl,
    }),
  );
  return { app, security: { signer, store, revocations }, close: () => db.close() };
}
