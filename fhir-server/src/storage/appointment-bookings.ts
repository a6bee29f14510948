import type { Appointment } from '@medplum/fhirtypes';
import { referencedId } from './access-tags';
import type { SqlExecutor } from './sql-executor';
import { ConcurrentWriteError, isUniqueViolation } from './storage-errors';

/** Statuses of an Appointment that no longer holds its slots. */
const RELEASED_STATUSES: ReadonlySet<string> = new Set(['cancelled', 'noshow', 'entered-in-error']);

interface BookingRow {
  readonly slot: string | null;
  readonly patient: string | null;
  readonly start: string | null;
  readonly end: string | null;
}

/** The ledger rows of one Appointment version (none when released or deleted). */
function bookingRows(appointment: Appointment | undefined): BookingRow[] {
  if (!appointment || RELEASED_STATUSES.has(appointment.status)) {
    return [];
  }
  const patientRef = appointment.participant?.map((p) => referencedId(p.actor, 'Patient')).find((id) => id !== undefined);
  const common = {
    patient: patientRef ? `Patient/${patientRef}` : null,
    start: appointment.start ?? null,
    end: appointment.end ?? null,
  };
  const slots = (appointment.slot ?? []).map((s) => referencedId(s, 'Slot')).filter((id): id is string => id !== undefined);
  return slots.length > 0 ? slots.map((slot) => ({ slot, ...common })) : [{ slot: null, ...common }];
}

/**
 * Replaces the ledger rows of an Appointment, inside the transaction of its write. A slot held
 * by another active appointment violates the unique index: ConcurrentWriteError (409).
 */
export async function replaceBookings(db: SqlExecutor, appointmentId: string, appointment: Appointment | undefined): Promise<void> {
  await db.raw('DELETE FROM appointment_booking WHERE appointment_id = ?', [appointmentId]);
  const rows = bookingRows(appointment);
  if (rows.length === 0) {
    return;
  }
  try {
    await db.raw(
      `INSERT INTO appointment_booking (appointment_id, slot_id, patient, starts_at, ends_at)
       SELECT ?, r.slot, r.patient, r.start, r."end" FROM json_to_recordset(?::json) AS r(slot text, patient text, start timestamptz, "end" timestamptz)`,
      [appointmentId, JSON.stringify(rows)],
    );
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConcurrentWriteError(`The slot is already booked by another appointment (${rows.map((r) => `Slot/${r.slot}`).join(', ')})`);
    }
    throw error;
  }
}

/** Ids of the patient's active appointments overlapping [start, end), other than `except`. */
export async function overlappingBookings(
  db: SqlExecutor,
  patient: string,
  start: string,
  end: string,
  except?: string,
): Promise<string[]> {
  const { rows } = await db.raw<{ appointment_id: string }>(
    `SELECT DISTINCT appointment_id FROM appointment_booking
     WHERE patient = ? AND starts_at < ?::timestamptz AND ends_at > ?::timestamptz AND appointment_id <> ?`,
    [patient, end, start, except ?? ''],
  );
  return rows.map((r) => r.appointment_id);
}

/** The active appointment holding a slot, if any. */
export async function slotHolder(db: SqlExecutor, slotId: string): Promise<string | undefined> {
  const { rows } = await db.raw<{ appointment_id: string }>('SELECT appointment_id FROM appointment_booking WHERE slot_id = ?', [slotId]);
  return rows[0]?.appointment_id;
}
