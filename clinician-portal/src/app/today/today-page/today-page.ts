import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router, RouterLink } from '@angular/router';
import type { Appointment } from '@medplum/fhirtypes';
import { TodayStore, type DayEntry } from '../today-store';

/** How long after the start a booked appointment may be marked a no-show. */
const NO_SHOW_AFTER_MS = 5 * 60_000;

/** The doctor's day: the waiting room (live), the consultations in progress, and the appointments of the day. */
@Component({
  selector: 'cp-today-page',
  imports: [DatePipe, MatButtonModule, MatCardModule, MatProgressSpinnerModule, RouterLink],
  templateUrl: './today-page.html',
  styleUrl: './today-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TodayPage implements OnInit {
  protected readonly store = inject(TodayStore);
  private readonly router = inject(Router);

  ngOnInit(): void {
    void this.store.start();
  }

  protected async admit(entry: DayEntry): Promise<void> {
    if (entry.encounter && (await this.store.admit(entry.encounter))) {
      await this.router.navigate(['/consultations', entry.encounter.id]);
    }
  }

  protected mayMarkNoShow(appointment: Appointment): boolean {
    return appointment.status === 'booked' && !!appointment.start && Date.parse(appointment.start) + NO_SHOW_AFTER_MS < Date.now();
  }
}
