import type { Config } from './config';
import { AccountService } from './domain/accounts/account-service';
import { ClientRegistry } from './domain/accounts/client-registry';
import { RevocationList } from './domain/accounts/revocation-list';
import { TokenService } from './domain/accounts/token-service';
import { TokenSigner } from './domain/accounts/token-signer';
import type { Mailer } from './domain/notifications/mailer';
import { createMailer } from './integrations/mailer';
import type { Logger } from './logger';
import { AccountStore } from './storage/account-store';
import type { FhirRepository } from './storage/fhir-repository';
import type { SqlExecutor } from './storage/sql-executor';

/** Accounts, clients and tokens, wired once for the app and the CLI. */
export interface SecurityServices {
  readonly store: AccountStore;
  readonly signer: TokenSigner;
  readonly revocations: RevocationList;
  readonly accounts: AccountService;
  readonly tokens: TokenService;
  readonly clients: ClientRegistry;
  readonly mailer: Mailer;
}

export async function createSecurityServices(config: Config, sql: SqlExecutor, repo: FhirRepository): Promise<SecurityServices> {
  const store = new AccountStore(sql);
  const signer = await TokenSigner.create(
    { issuer: config.publicUrl, audience: config.fhirBaseUrl, privateKeyPem: config.security.jwtPrivateKeyPem },
    store,
  );
  const revocations = new RevocationList(store);
  await revocations.reload();
  const mailer = createMailer(config.mail);
  return {
    store,
    signer,
    revocations,
    mailer,
    accounts: new AccountService(store, repo, mailer, revocations, { publicUrl: config.publicUrl }),
    tokens: new TokenService(store, signer, revocations, config.fhirBaseUrl),
    clients: new ClientRegistry(store),
  };
}

/**
 * First start: the portals are registered, and an administrator exists. It comes from
 * ADMIN_EMAIL/ADMIN_PASSWORD, or else a one-time link to set the password of
 * ADMIN_EMAIL (default admin@medbuddy.local) is printed, once.
 */
export async function bootstrapSecurity(config: Config, security: SecurityServices, logger: Logger): Promise<void> {
  await security.clients.registerPortals(config.publicUrl, config.production);
  if ((await security.store.countAccounts('admin')) > 0) {
    return;
  }
  const { adminEmail, adminPassword } = config.security;
  if (adminEmail && adminPassword) {
    await security.accounts.createAdmin(adminEmail, adminPassword);
    logger.info('Administrator account created from ADMIN_EMAIL', {});
    return;
  }
  const link = await security.accounts.bootstrapAdminLink(adminEmail ?? 'admin@medbuddy.local');
  // Printed on purpose, once: the operator's way in on a fresh install (valid 24 hours).
  logger.info('No administrator yet. Open this one-time link within 24 hours to set the admin password', { link });
}
