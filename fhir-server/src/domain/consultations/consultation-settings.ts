/** When a video consultation's waiting room opens and how long it stays usable. */
export interface ConsultationSettings {
  /** Minutes before the start from which the patient may check in and get video credentials (`VIDEO_CHECKIN_MINUTES`). */
  readonly checkInMinutes: number;
  /** Minutes after the start after which a booked appointment nobody checked in to becomes a no-show (`VIDEO_NOSHOW_GRACE_MINUTES`). */
  readonly noShowGraceMinutes: number;
}

/** Minutes after the booked end during which a running consultation may still be joined (an overrun). */
export const OVERRUN_MINUTES = 60;

export const DEFAULT_CONSULTATION_SETTINGS: ConsultationSettings = { checkInMinutes: 15, noShowGraceMinutes: 15 };
