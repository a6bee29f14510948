import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config';
import { loadFhirDefinitions } from './definitions';
import { AccountError } from './domain/accounts/account-errors';
import { createSecurityServices } from './security-services';
import { openDatabase } from './storage/db';
import { PgRepository } from './storage/pg-repository';

const USAGE = `MedBuddy administration (same configuration as npm start: DATA_DIR, DATABASE_URL, ...)

  npm run cli -- create-admin --email <email> --password <password>
  npm run cli -- create-client --id <client-id> (--jwks-url <url> | --jwks '<json>' | --jwks-file <path>) [--scope 'system/*.rs'] [--name <name>]
  npm run cli -- token --scope 'system/*.*' [--client-id <id>]     prints a signed access token as the last line

With the embedded database (no DATABASE_URL), stop the server first: PGlite allows one process.`;

/** The administration CLI: accounts, backend clients and access tokens for scripts. */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string' },
      jwks: { type: 'string' },
      'jwks-url': { type: 'string' },
      'jwks-file': { type: 'string' },
      'client-id': { type: 'string' },
    },
  });
  if (!command || !['create-admin', 'create-client', 'token'].includes(command)) {
    process.stdout.write(USAGE + '\n');
    process.exitCode = command ? 2 : 0;
    return;
  }
  const config = loadConfig();
  loadFhirDefinitions();
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    const security = await createSecurityServices(config, db.sql, new PgRepository(db.sql));
    try {
      switch (command) {
        case 'create-admin': {
          const { created } = await security.accounts.createAdmin(
            required(values.email, '--email'),
            required(values.password, '--password'),
          );
          process.stdout.write(created ? `Administrator ${values.email} created\n` : `An account for ${values.email} already exists\n`);
          break;
        }
        case 'create-client': {
          const jwks = values['jwks-file'] ? fs.readFileSync(values['jwks-file'], 'utf8') : values.jwks;
          const client = await security.clients.registerBackendClient({
            id: required(values.id, '--id'),
            name: values.name,
            scope: values.scope ?? 'system/*.rs',
            jwks,
            jwksUrl: values['jwks-url'],
          });
          process.stdout.write(`Backend client ${client.id} registered with scope "${client.scope}"\n`);
          break;
        }
        case 'token': {
          const response = await security.tokens.issueForClient(values['client-id'] ?? 'medbuddy-cli', required(values.scope, '--scope'));
          if (!response.scope) {
            throw new AccountError('invalid-scope', 'The token needs system scopes, such as system/*.* or system/Patient.rs');
          }
          process.stderr.write(`Access token for ${response.scope}, valid ${response.expires_in} s:\n`);
          process.stdout.write(response.access_token + '\n');
          break;
        }
      }
    } finally {
      await security.mailer.close();
    }
  } finally {
    await db.close();
  }
}

function required(value: string | undefined, flag: string): string {
  if (!value) {
    throw new AccountError('invalid-input', `${flag} is required`);
  }
  return value;
}

main(process.argv.slice(2)).catch((error) => {
  const known =
    error instanceof ConfigError || error instanceof AccountError || (error as { code?: string })?.code?.startsWith?.('ERR_PARSE_ARGS');
  process.stderr.write(`${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
