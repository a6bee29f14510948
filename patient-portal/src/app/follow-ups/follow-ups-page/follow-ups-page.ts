import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime, formatDay } from '../../patient/time-zone';
import type { FollowUp } from '../follow-ups-api';
import { FollowUpsStore } from '../follow-ups-store';

/** Follow-ups the doctors recommended, each bookable with one click on a free time in its window. */
@Component({
  selector: 'pp-follow-ups-page',
  imports: [MatButtonModule, MatCardModule, MatProgressBarModule, RouterLink],
  templateUrl: './follow-ups-page.html',
  styleUrl: '../../records/record-page.scss',
  providers: [FollowUpsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FollowUpsPage implements OnInit {
  protected readonly store = inject(FollowUpsStore);
  protected readonly patient = inject(PatientStore);

  ngOnInit(): void {
    void this.store.load();
  }

  protected when(instant: string | undefined): string {
    return formatDateTime(instant, this.patient.timeZone());
  }

  protected window(followUp: FollowUp): string {
    const zone = this.patient.timeZone();
    const { start, end } = followUp.window;
    return start && end ? `between ${formatDay(start, zone)} and ${formatDay(end, zone)}` : '';
  }
}
