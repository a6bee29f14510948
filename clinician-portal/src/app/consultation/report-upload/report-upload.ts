import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { DocumentDrop } from '../../shared/documents/document-drop/document-drop';
import { documentSize, documentTitle } from '../../shared/documents/document-labels';
import { ReportStore } from '../report-store';

/** Kinds of report a doctor hands a patient (shown to the patient as the category). */
export const REPORT_KINDS = ['Laboratory report', 'Referral letter', 'Medical report', 'Imaging report', 'Sick note'] as const;

/** Upload a report for the patient of this consultation (drag and drop or a picker, with progress), and the ones uploaded. */
@Component({
  selector: 'cp-report-upload',
  imports: [DocumentDrop, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule],
  templateUrl: './report-upload.html',
  providers: [ReportStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReportUpload {
  /** `Patient/<id>` */
  readonly patient = input.required<string>();
  /** `Encounter/<id>` */
  readonly encounter = input.required<string>();
  protected readonly store = inject(ReportStore);
  protected readonly kinds = REPORT_KINDS;
  protected readonly file = signal<File | undefined>(undefined);
  protected title = '';
  protected category: string = REPORT_KINDS[0];
  protected date = '';
  protected readonly titleOf = documentTitle;
  protected readonly sizeOf = documentSize;

  constructor() {
    effect(() => {
      const target = { patient: this.patient(), encounter: this.encounter() };
      untracked(() => void this.store.open(target));
    });
  }

  protected pick(file: File): void {
    this.file.set(file);
    this.title = file.name.replace(/\.[^.]+$/, '');
    this.store.message.set(undefined);
  }

  protected async uploadFile(): Promise<void> {
    const file = this.file();
    if (file && (await this.store.upload(file, { title: this.title, category: this.category, date: this.date }))) {
      this.file.set(undefined);
      this.date = '';
    }
  }
}
