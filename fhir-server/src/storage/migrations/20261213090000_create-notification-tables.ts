import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * Notifications (reminders, transactional e-mail, FHIR Subscriptions) through two outboxes:
 * - `resource_change`: one row per resource write, inserted by the write statement itself, so a
 *   committed write always has its change row and a rolled-back one never does. Workers claim
 *   rows with FOR UPDATE SKIP LOCKED and turn them into jobs in the same transaction.
 * - `notification_job`: what to send and when; `dedupe_key` makes planning idempotent, and a
 *   lease (`locked_until`) claimed with SKIP LOCKED gives each due job to one worker.
 * `notification_state` keeps what was last planned per subject (an Appointment's status and
 * start, a Subscription's owner and event counter).
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE resource_change (
      id bigserial PRIMARY KEY,
      resource_type text NOT NULL,
      resource_id text NOT NULL,
      version_id integer NOT NULL,
      author jsonb,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE notification_job (
      id bigserial PRIMARY KEY,
      kind text NOT NULL,
      dedupe_key text NOT NULL UNIQUE,
      group_key text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      due_at timestamptz NOT NULL,
      expires_at timestamptz,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      locked_until timestamptz,
      last_error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      finished_at timestamptz
    );
    CREATE INDEX notification_job_due_idx ON notification_job (due_at, id) WHERE status = 'pending';
    CREATE INDEX notification_job_group_idx ON notification_job (group_key) WHERE status = 'pending';
    CREATE TABLE notification_state (
      subject text PRIMARY KEY,
      kind text NOT NULL,
      state jsonb NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX notification_state_kind_idx ON notification_state (kind)
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS notification_state, notification_job, resource_change');
}
