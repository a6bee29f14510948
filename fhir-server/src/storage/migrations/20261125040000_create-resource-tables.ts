import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Current and history rows per resource version, and one search index table per
 * SearchParameter type. Index rows carry (resource_type, resource_id, param) so a search is
 * `id IN (SELECT resource_id FROM sp_<type> WHERE resource_type = ? AND param = ? AND ...)`
 * over a B-tree, never a scan of the JSON.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE resource (
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      content text NOT NULL,
      compartments text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (resource_type, id)
    );
    CREATE INDEX resource_compartments_idx ON resource USING gin (compartments);
    CREATE INDEX resource_last_updated_idx ON resource (resource_type, last_updated, id);

    CREATE TABLE resource_history (
      seq bigserial PRIMARY KEY,
      resource_type text NOT NULL,
      id text NOT NULL,
      version_id integer NOT NULL,
      last_updated timestamptz NOT NULL,
      deleted boolean NOT NULL DEFAULT false,
      method text NOT NULL,
      content text NOT NULL,
      compartments text[] NOT NULL DEFAULT '{}',
      UNIQUE (resource_type, id, version_id)
    );
    CREATE INDEX resource_history_type_idx ON resource_history (resource_type, seq);

    CREATE TABLE sp_string (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      value text NOT NULL,
      raw text NOT NULL
    );
    CREATE INDEX sp_string_value_idx ON sp_string (resource_type, param, value text_pattern_ops);
    CREATE INDEX sp_string_resource_idx ON sp_string (resource_type, resource_id);

    CREATE TABLE sp_token (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      system text,
      code text,
      display text
    );
    CREATE INDEX sp_token_code_idx ON sp_token (resource_type, param, code, system);
    CREATE INDEX sp_token_resource_idx ON sp_token (resource_type, resource_id);

    CREATE TABLE sp_date (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      low timestamptz NOT NULL,
      high timestamptz NOT NULL
    );
    CREATE INDEX sp_date_low_idx ON sp_date (resource_type, param, low);
    CREATE INDEX sp_date_high_idx ON sp_date (resource_type, param, high);
    CREATE INDEX sp_date_resource_idx ON sp_date (resource_type, resource_id);

    CREATE TABLE sp_number (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      low numeric NOT NULL,
      high numeric NOT NULL
    );
    CREATE INDEX sp_number_value_idx ON sp_number (resource_type, param, low, high);
    CREATE INDEX sp_number_resource_idx ON sp_number (resource_type, resource_id);

    CREATE TABLE sp_quantity (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      low numeric NOT NULL,
      high numeric NOT NULL,
      system text,
      code text,
      unit text
    );
    CREATE INDEX sp_quantity_value_idx ON sp_quantity (resource_type, param, low, high);
    CREATE INDEX sp_quantity_resource_idx ON sp_quantity (resource_type, resource_id);

    CREATE TABLE sp_reference (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      target_type text,
      target_id text,
      url text NOT NULL
    );
    CREATE INDEX sp_reference_target_idx ON sp_reference (resource_type, param, target_id, target_type);
    CREATE INDEX sp_reference_url_idx ON sp_reference (resource_type, param, url);
    CREATE INDEX sp_reference_reverse_idx ON sp_reference (target_type, target_id);
    CREATE INDEX sp_reference_resource_idx ON sp_reference (resource_type, resource_id);

    CREATE TABLE sp_uri (
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      param text NOT NULL,
      value text NOT NULL
    );
    CREATE INDEX sp_uri_value_idx ON sp_uri (resource_type, param, value text_pattern_ops);
    CREATE INDEX sp_uri_resource_idx ON sp_uri (resource_type, resource_id);
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    DROP TABLE IF EXISTS sp_uri, sp_reference, sp_quantity, sp_number, sp_date, sp_token, sp_string;
    DROP TABLE IF EXISTS resource_history, resource;
  `,
  );
}
