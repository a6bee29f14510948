import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatIconModule } from '@angular/material/icon';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import type { DocumentReference } from '@medplum/fhirtypes';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import { ReportsStore } from '../reports-store';

export const REPORT_CATEGORIES = ['Laboratory', 'Imaging', 'Letter', 'Other'] as const;
const ACCEPTED = '.pdf,.png,.jpg,.jpeg,.dcm,application/pdf,image/png,image/jpeg,application/dicom';

/** The patient's reports: upload one (drag and drop or a file picker, with progress), list, download. */
@Component({
  selector: 'pp-reports-page',
  imports: [FormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatIconModule, MatInputModule, MatProgressBarModule],
  templateUrl: './reports-page.html',
  styleUrls: ['../../records/record-page.scss', './reports-page.scss'],
  providers: [ReportsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReportsPage implements OnInit {
  protected readonly store = inject(ReportsStore);
  private readonly patient = inject(PatientStore);
  protected readonly accepted = ACCEPTED;
  protected readonly categories = REPORT_CATEGORIES;
  protected readonly file = signal<File | undefined>(undefined);
  protected readonly dragging = signal(false);
  protected title = '';
  protected category: string = 'Laboratory';
  protected date = '';

  ngOnInit(): void {
    void this.store.load();
  }

  protected dragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected drop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    const file = event.dataTransfer?.files[0];
    if (file) {
      this.choose(file);
    }
  }

  protected picked(input: HTMLInputElement): void {
    const file = input.files?.[0];
    if (file) {
      this.choose(file);
    }
    input.value = '';
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

  protected when(report: DocumentReference): string {
    return formatDateTime(report.date, this.patient.timeZone());
  }

  protected titleOf(report: DocumentReference): string {
    return report.content?.[0]?.attachment?.title ?? report.description ?? 'Report';
  }

  protected categoryOf(report: DocumentReference): string {
    return report.category?.[0]?.text ?? report.category?.[0]?.coding?.[0]?.display ?? '';
  }

  protected sizeOf(report: DocumentReference): string {
    const size = report.content?.[0]?.attachment?.size;
    return size === undefined
      ? ''
      : size < 1024 * 1024
        ? `${Math.max(1, Math.round(size / 1024))} KB`
        : `${(size / 1024 / 1024).toFixed(1)} MB`;
  }

  private choose(file: File): void {
    this.file.set(file);
    this.title = file.name.replace(/\.[^.]+$/, '');
    this.date = '';
    this.store.message.set(undefined);
  }
}
