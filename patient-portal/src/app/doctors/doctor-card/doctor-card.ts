import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { RouterLink } from '@angular/router';
import type { Slot } from '@medplum/fhirtypes';
import { formatDateTime } from '../../patient/time-zone';
import { formatFee, type DoctorSummary } from '../doctor-summary';

/** One search result: name, specialty, fee, rating, languages and the next free time. */
@Component({
  selector: 'pp-doctor-card',
  imports: [MatButtonModule, MatCardModule, RouterLink],
  templateUrl: './doctor-card.html',
  styleUrl: './doctor-card.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DoctorCard {
  readonly doctor = input.required<DoctorSummary>();
  /** The next free slot; null: none; undefined: still loading. */
  readonly nextSlot = input<Slot | null | undefined>(undefined);
  readonly languageNames = input<Readonly<Record<string, string>>>({});
  /** The patient's time zone. */
  readonly timeZone = input.required<string>();

  protected readonly fee = computed(() => formatFee(this.doctor().fee));
  protected readonly languages = computed(() =>
    this.doctor()
      .languages.map((code) => this.languageNames()[code] ?? code)
      .join(', '),
  );
  protected readonly next = computed(() => {
    const slot = this.nextSlot();
    return slot
      ? formatDateTime(slot.start, this.timeZone())
      : slot === null
        ? 'No free time in the coming weeks'
        : 'Looking for free times…';
  });
}
