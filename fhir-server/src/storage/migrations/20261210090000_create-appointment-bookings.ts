import type { Knex } from 'knex';
import { runStatements } from './run-statements';

/**
 * The booking ledger: one row per slot an active Appointment holds (cancelled, no-show and
 * entered-in-error ones hold none), kept by every Appointment write in the same transaction.
 * The unique index on slot_id makes a second active appointment on a slot impossible,
 * whatever code path wrote it; patient and period serve the overlap check. An appointment
 * without a slot has one row with slot_id NULL.
 *
 * job_run: one row per (job, tick) a background job has claimed, so a tick runs once
 * across server processes.
 */
export async function up(knex: Knex): Promise<void> {
  await runStatements(
    knex,
    `
    CREATE TABLE appointment_booking (
      appointment_id text NOT NULL,
      slot_id text,
      patient text,
      starts_at timestamptz,
      ends_at timestamptz
    );
    CREATE UNIQUE INDEX appointment_booking_slot_key ON appointment_booking (slot_id);
    CREATE INDEX appointment_booking_appointment_idx ON appointment_booking (appointment_id);
    CREATE INDEX appointment_booking_patient_idx ON appointment_booking (patient, starts_at);
    CREATE TABLE job_run (
      job text NOT NULL,
      tick text NOT NULL,
      claimed_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (job, tick)
    );
  `,
  );
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TABLE IF EXISTS appointment_booking');
  await knex.raw('DROP TABLE IF EXISTS job_run');
}
