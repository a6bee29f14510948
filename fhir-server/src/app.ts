import Koa from 'koa';
import type { Config } from './config';
import { createSearchParameterCatalog, loadFhirDefinitions } from './definitions';
import { packagedResourcesToSeed } from './definitions/package-folders';
import { seedPackagedResources } from './fhir/terminology/seed-packaged-resources';
import { fhirEndpoint } from './http/fhir-adapter';
import { outcomeErrors } from './http/middleware/outcome-errors';
import { requestContext } from './http/middleware/request-context';
import { jsonLogger, type Logger } from './logger';
import { openDatabase } from './storage/db';
import { PgRepository } from './storage/pg-repository';

export interface App {
  readonly app: Koa;
  /** Closes the database; the caller closes its HTTP server first. */
  close(): Promise<void>;
}

/** The Koa app with its dependencies: database opened and migrated, definitions loaded. */
export async function buildApp(config: Config, logger: Logger = jsonLogger): Promise<App> {
  loadFhirDefinitions();
  const db = await openDatabase(config.database);
  await db.migrate();
  const searchParameters = createSearchParameterCatalog(config.profilesDir);
  const repo = new PgRepository(db.sql, { catalog: searchParameters, baseUrl: config.fhirBaseUrl });
  await repo.syncSearchParameters();
  await seedPackagedResources({ repo, baseUrl: config.fhirBaseUrl, searchParameters }, packagedResourcesToSeed());
  repo.startReindexWorker((error) => logger.error('Reindex job failed', { error: String((error as Error)?.stack ?? error) }));

  const app = new Koa({ proxy: config.trustProxy });
  app.use(requestContext(config.logRequests ? logger : undefined));
  app.use(outcomeErrors(logger));
  app.use(
    fhirEndpoint({
      basePath: config.fhirBasePath,
      limits: { maxBytes: config.maxBodyBytes, maxDepth: config.maxJsonDepth },
      fhirContext: { repo, baseUrl: config.fhirBaseUrl, searchParameters },
    }),
  );
  return {
    app,
    close: async () => {
      await repo.stopReindexWorker();
      await db.close();
    },
  };
}
