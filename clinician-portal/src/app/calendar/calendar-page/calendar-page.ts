import { ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink } from '@angular/router';
import { parseLocalDate, step, type CalendarView } from '../calendar-dates';
import { CalendarStore, STATE_LABELS, type CalendarSlot, type SlotState } from '../calendar-store';

/**
 * The doctor's slots by day or by week, each marked free, held, booked or unavailable in
 * words and colour, times in the zone of their availability rules. The view and the date are
 * query parameters (`?view=day&date=2026-12-01`), so the back button and bookmarks work.
 */
@Component({
  selector: 'cp-calendar-page',
  imports: [MatButtonModule, MatButtonToggleModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, RouterLink],
  templateUrl: './calendar-page.html',
  styleUrl: './calendar-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CalendarPage {
  /** Query parameters, bound by the router. */
  readonly view = input<string | undefined>();
  readonly date = input<string | undefined>();

  protected readonly store = inject(CalendarStore);
  private readonly router = inject(Router);
  private readonly ready = this.store.load();
  protected readonly states: readonly SlotState[] = ['free', 'held', 'booked', 'unavailable'];
  protected readonly labels = STATE_LABELS;
  protected readonly shownView = computed<CalendarView>(() => (this.view() === 'day' ? 'day' : 'week'));
  protected readonly today = computed(() => this.store.today());

  constructor() {
    effect(() => {
      const view = this.shownView();
      const date = parseLocalDate(this.date());
      untracked(() => void this.ready.then(() => this.store.show(view, date ?? this.store.today())));
    });
  }

  protected changeView(view: CalendarView): void {
    this.go(view, this.store.date());
  }

  protected previous(): void {
    this.go(this.shownView(), step(this.shownView(), this.store.date(), -1));
  }

  protected next(): void {
    this.go(this.shownView(), step(this.shownView(), this.store.date(), 1));
  }

  protected goToday(): void {
    this.go(this.shownView(), this.store.today());
  }

  protected pickDate(value: string): void {
    const date = parseLocalDate(value);
    if (date) {
      this.go(this.shownView(), date);
    }
  }

  /** Where a booked slot leads: its consultation once the patient checked in, else the patient's chart. */
  protected linkOf(slot: CalendarSlot): { path: string[]; hint: string } | undefined {
    if (slot.encounterId) {
      return { path: ['/consultations', slot.encounterId], hint: 'open the consultation' };
    }
    if (slot.patientId) {
      return { path: ['/patients', slot.patientId], hint: "open the patient's chart" };
    }
    return undefined;
  }

  private go(view: CalendarView, date: string): void {
    void this.router.navigate([], { queryParams: { view, date } });
  }
}
