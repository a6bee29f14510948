import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, effect, inject, input } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { HumanNamePipe } from '../../shared/human-name.pipe';
import { chartSections } from '../patient-chart';
import { PatientChartStore } from '../patient-chart-store';

/** One patient's record, read-only: conditions, allergies, medications, documents and a timeline. */
@Component({
  selector: 'cp-patient-chart-page',
  imports: [DatePipe, HumanNamePipe, MatCardModule, MatProgressBarModule, RouterLink],
  templateUrl: './patient-chart-page.html',
  styleUrl: './patient-chart-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PatientChartPage {
  protected readonly store = inject(PatientChartStore);
  /** The route's `:id`. */
  readonly id = input.required<string>();
  protected readonly sections = chartSections;

  constructor() {
    effect(() => void this.store.load(this.id()));
  }
}
