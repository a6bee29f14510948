import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Accounts (linked to their Patient/Practitioner resource), OAuth2 clients, refresh-token
 * families, authorization codes, single-use e-mail tokens and the token signing key. Secrets
 * are never stored: tokens and codes by SHA-256, passwords as argon2id hashes.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE account (
      id text PRIMARY KEY,
      email text NOT NULL UNIQUE,
      password_hash text NOT NULL,
      role text NOT NULL CHECK (role IN ('patient', 'doctor', 'admin')),
      profile text,
      email_verified boolean NOT NULL DEFAULT false,
      failed_logins integer NOT NULL DEFAULT 0,
      locked_until timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE oauth_client (
      id text PRIMARY KEY,
      name text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('public', 'backend')),
      redirect_uris text[] NOT NULL DEFAULT '{}',
      scope text NOT NULL,
      jwks text,
      jwks_url text,
      created_at timestamptz NOT NULL DEFAULT now()
    );

    CREATE TABLE authorization_code (
      code_hash text PRIMARY KEY,
      client_id text NOT NULL,
      account_id text NOT NULL REFERENCES account (id) ON DELETE CASCADE,
      redirect_uri text NOT NULL,
      code_challenge text NOT NULL,
      scope text NOT NULL,
      patient text,
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    );

    CREATE TABLE refresh_token (
      token_hash text PRIMARY KEY,
      family_id text NOT NULL,
      account_id text NOT NULL REFERENCES account (id) ON DELETE CASCADE,
      client_id text NOT NULL,
      scope text NOT NULL,
      patient text,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX refresh_token_family_idx ON refresh_token (family_id);

    CREATE TABLE account_token (
      token_hash text PRIMARY KEY,
      account_id text NOT NULL REFERENCES account (id) ON DELETE CASCADE,
      purpose text NOT NULL CHECK (purpose IN ('verify-email', 'reset-password')),
      expires_at timestamptz NOT NULL,
      used_at timestamptz
    );

    CREATE TABLE revoked_access_token (
      jti text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    );

    CREATE TABLE used_client_assertion (
      jti text PRIMARY KEY,
      expires_at timestamptz NOT NULL
    );

    CREATE TABLE signing_key (
      kid text PRIMARY KEY,
      private_jwk text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP TABLE IF EXISTS signing_key, used_client_assertion, revoked_access_token, account_token, refresh_token,
      authorization_code, oauth_client, account;
  `,
  );
}
