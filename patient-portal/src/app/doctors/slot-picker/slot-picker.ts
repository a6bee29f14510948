import { ChangeDetectionStrategy, Component, computed, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import type { Slot } from '@medplum/fhirtypes';
import { dayKey, formatDay, formatTime } from '../../patient/time-zone';

interface SlotDay {
  readonly key: string;
  readonly label: string;
  readonly slots: readonly { readonly slot: Slot; readonly time: string; readonly doctorTime?: string }[];
}

/**
 * Free times grouped by day, shown in the patient's time zone (named above the list); hovering
 * or focusing a time shows it in the doctor's zone.
 */
@Component({
  selector: 'pp-slot-picker',
  imports: [MatButtonModule],
  templateUrl: './slot-picker.html',
  styleUrl: './slot-picker.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SlotPicker {
  readonly slots = input.required<readonly Slot[]>();
  /** The patient's IANA zone: times are shown in it. */
  readonly timeZone = input.required<string>();
  /** The doctor's IANA zone, for the hover text; none: not shown. */
  readonly doctorTimeZone = input<string | undefined>(undefined);
  readonly selectedId = input<string | undefined>(undefined);
  readonly picked = output<Slot>();

  protected readonly days = computed<SlotDay[]>(() => {
    const zone = this.timeZone();
    const doctorZone = this.doctorTimeZone();
    const days = new Map<string, SlotDay>();
    for (const slot of this.slots()) {
      if (!slot.start) {
        continue;
      }
      const key = dayKey(slot.start, zone);
      const day = days.get(key) ?? { key, label: formatDay(slot.start, zone), slots: [] };
      const doctorTime =
        doctorZone && doctorZone !== zone ? `${formatTime(slot.start, doctorZone)} for the doctor (${doctorZone})` : undefined;
      days.set(key, { ...day, slots: [...day.slots, { slot, time: formatTime(slot.start, zone), doctorTime }] });
    }
    return [...days.values()];
  });
}
