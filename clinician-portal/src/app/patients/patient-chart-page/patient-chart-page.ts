import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input, untracked } from '@angular/core';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import { HumanNamePipe } from '../../shared/human-name.pipe';
import { PatientsStore } from '../patients-store';

/** One patient's chart: who they are and their timeline, newest first. */
@Component({
  selector: 'cp-patient-chart-page',
  imports: [DatePipe, HumanNamePipe, MatProgressSpinnerModule, RouterLink],
  templateUrl: './patient-chart-page.html',
  styleUrl: './patient-chart-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PatientChartPage {
  /** The Patient id, from the route. */
  readonly patientId = input.required<string>();
  protected readonly store = inject(PatientsStore);

  constructor() {
    effect(() => {
      const id = this.patientId();
      untracked(() => void this.store.loadChart(id));
    });
  }
}
