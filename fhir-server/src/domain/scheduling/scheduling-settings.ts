/** The scheduling policy a server runs with (config.ts reads it from the environment). */
export interface SchedulingSettings {
  /** Days ahead that slots are materialised for (`SLOT_HORIZON_DAYS`). */
  readonly horizonDays: number;
  /** Patients may not cancel or reschedule less than this many minutes before the start (`CANCEL_WINDOW_MINUTES`). */
  readonly cancelWindowMinutes: number;
  /** How long `Appointment/$hold` keeps a slot (`SLOT_HOLD_MINUTES`). */
  readonly holdMinutes: number;
}

export const DEFAULT_SCHEDULING: SchedulingSettings = { horizonDays: 56, cancelWindowMinutes: 60, holdMinutes: 5 };
