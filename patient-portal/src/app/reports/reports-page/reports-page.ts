import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { DocumentReference } from '@medplum/fhirtypes';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import { documentCategory, documentSize, documentTitle } from '../../shared/documents/document-labels';
import { DICOM, DOCUMENT_KINDS, DocumentDrop } from '../../shared/documents/document-drop/document-drop';
import type { StoredDocument } from '../../shared/documents/document-api';
import { ReportsStore } from '../reports-store';

export const REPORT_CATEGORIES = ['Laboratory', 'Imaging', 'Letter', 'Other'] as const;
/** Patients also bring scans from imaging centres as DICOM files. */
const REPORT_KINDS = [...DOCUMENT_KINDS, DICOM];

/** The patient's reports: upload one (drag and drop or a file picker, with progress), list, download. */
@Component({
  selector: 'pp-reports-page',
  imports: [DocumentDrop, FormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressBarModule],
  templateUrl: './reports-page.html',
  styleUrls: ['../../records/record-page.scss', './reports-page.scss'],
  providers: [ReportsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReportsPage implements OnInit {
  protected readonly store = inject(ReportsStore);
  private readonly patient = inject(PatientStore);
  protected readonly kinds = REPORT_KINDS;
  protected readonly categories = REPORT_CATEGORIES;
  protected readonly file = signal<File | undefined>(undefined);
  protected title = '';
  protected category: string = 'Laboratory';
  protected date = '';

  ngOnInit(): void {
    void this.store.load();
  }

  async uploadFile(): Promise<void> {
    const file = this.file();
    if (!file) {
      return;
    }
    const uploaded = await this.store.upload(file, {
      title: this.title.trim() || file.name,
      category: this.category,
      date: this.date || undefined,
    });
    if (uploaded) {
      this.file.set(undefined);
    }
  }

  /** Kind, date, size and who added it (when known). */
  protected subtitle(report: StoredDocument): string {
    const addedBy = this.store.addedBy()[report.id];
    return [documentCategory(report), formatDateTime(report.date, this.patient.timeZone()), documentSize(report)]
      .concat(addedBy ? [`added by ${addedBy}`] : [])
      .join(' · ');
  }

  protected titleOf(report: DocumentReference): string {
    return documentTitle(report, 'Report');
  }

  protected pick(file: File): void {
    this.file.set(file);
    this.title = file.name.replace(/\.[^.]+$/, '');
    this.date = '';
    this.store.message.set(undefined);
  }
}
