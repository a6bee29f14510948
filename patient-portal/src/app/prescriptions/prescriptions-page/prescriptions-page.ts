import { ChangeDetectionStrategy, Component, computed, inject, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Connectivity } from '../../shared/live-updates/connectivity';
import { OfflineStore } from '../../offline/offline-store';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import type { Prescription, PrescriptionLine } from '../prescriptions-api';
import { PrescriptionsStore } from '../prescriptions-store';

const STATUS_TEXT: Readonly<Record<string, string>> = {
  active: 'Valid',
  completed: 'Completed',
  cancelled: 'Cancelled by the doctor',
  stopped: 'Stopped by the doctor',
  'on-hold': 'On hold',
  draft: 'Draft',
  'entered-in-error': 'Removed',
};

/** The patient's prescriptions, newest first, each with its signed PDF. */
@Component({
  selector: 'pp-prescriptions-page',
  imports: [MatButtonModule, MatCardModule, MatProgressBarModule],
  templateUrl: './prescriptions-page.html',
  styleUrl: '../../records/record-page.scss',
  providers: [PrescriptionsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PrescriptionsPage implements OnInit {
  protected readonly store = inject(PrescriptionsStore);
  private readonly patient = inject(PatientStore);
  private readonly online = inject(Connectivity).online;
  private readonly showingSaved = inject(OfflineStore).offline;
  /** The signed PDFs come from the server: off while offline. */
  protected readonly pdfOff = computed(() => !this.online() || this.showingSaved());

  ngOnInit(): void {
    void this.store.load();
  }

  protected when(prescription: Prescription): string {
    return formatDateTime(prescription.authoredOn, this.patient.timeZone());
  }

  protected status(line: PrescriptionLine): string {
    return STATUS_TEXT[line.status] ?? line.status;
  }
}
