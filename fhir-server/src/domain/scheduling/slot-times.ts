import { DateTime } from 'luxon';
import { WEEKDAYS, type AvailabilityRules } from './availability-rules';

/** A slot's interval as instants (epoch milliseconds). */
export interface SlotTime {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * The slots the rules offer whose start lies in [fromMs, toMs), in start order. Slots are laid
 * out in local wall-clock time: each wall-clock start exists at most once (on the fall-back
 * day the earlier of the two instants is used, so no duplicate), and a start that does not
 * exist (the spring-forward gap) is skipped. A slot lasts `slotMinutes` of real time and must
 * end, on the wall clock, within its opening; slots touching a closure are left out.
 */
export function slotTimes(rules: AvailabilityRules, fromMs: number, toMs: number): SlotTime[] {
  const slots: SlotTime[] = [];
  const seen = new Set<number>();
  let day = DateTime.fromMillis(fromMs, { zone: rules.zone }).startOf('day');
  const lastDay = DateTime.fromMillis(toMs, { zone: rules.zone }).startOf('day');
  while (day <= lastDay) {
    const weekday = WEEKDAYS[day.weekday - 1];
    for (const hours of rules.weekly) {
      if (!hours.days.has(weekday)) {
        continue;
      }
      for (let minute = hours.startMinute; minute + rules.slotMinutes <= hours.endMinute; minute += rules.slotMinutes) {
        const wall = { year: day.year, month: day.month, day: day.day, hour: Math.floor(minute / 60), minute: minute % 60 };
        const start = DateTime.fromObject(wall, { zone: rules.zone });
        // Luxon moves a wall-clock time inside the spring-forward gap forward: it does not exist.
        if (!start.isValid || start.hour !== wall.hour % 24 || start.minute !== wall.minute || start.day !== wall.day) {
          continue;
        }
        const startMs = start.toMillis();
        const endMs = startMs + rules.slotMinutes * 60_000;
        if (startMs < fromMs || startMs >= toMs || seen.has(startMs) || closed(rules, startMs, endMs)) {
          continue;
        }
        seen.add(startMs);
        slots.push({ startMs, endMs });
      }
    }
    day = day.plus({ days: 1 }).startOf('day');
  }
  return slots.sort((a, b) => a.startMs - b.startMs);
}

function closed(rules: AvailabilityRules, startMs: number, endMs: number): boolean {
  return rules.closures.some((c) => startMs < c.endMs && c.startMs < endMs);
}
