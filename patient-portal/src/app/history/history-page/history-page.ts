import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatChipsModule, type MatChipListboxChange } from '@angular/material/chips';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import type { TimelineEntry, TimelineKind } from '../history-api';
import { HistoryStore, TIMELINE_KINDS } from '../history-store';

const KIND_LABEL: Readonly<Record<TimelineKind, string>> = {
  consultation: 'Consultation',
  note: 'Note from your doctor',
  prescription: 'Prescription',
  report: 'Report',
};

/** The medical history as a vertical timeline, newest first, filterable by kind. */
@Component({
  selector: 'pp-history-page',
  imports: [MatButtonModule, MatChipsModule, MatIconModule, MatProgressBarModule, RouterLink],
  templateUrl: './history-page.html',
  styleUrls: ['../../records/record-page.scss', './history-page.scss'],
  providers: [HistoryStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HistoryPage implements OnInit {
  protected readonly store = inject(HistoryStore);
  private readonly patient = inject(PatientStore);
  protected readonly kinds = TIMELINE_KINDS;

  ngOnInit(): void {
    void this.store.load();
  }

  protected filter(change: MatChipListboxChange): void {
    this.store.shown.set(change.value as TimelineKind[]);
  }

  protected when(entry: TimelineEntry): string {
    return formatDateTime(entry.date, this.patient.timeZone());
  }

  protected kindLabel(entry: TimelineEntry): string {
    return KIND_LABEL[entry.kind];
  }

  protected icon(entry: TimelineEntry): string {
    return TIMELINE_KINDS.find((k) => k.kind === entry.kind)?.icon ?? 'history';
  }
}
