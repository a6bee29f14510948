import { inject, Injectable, signal } from '@angular/core';
import type { DocumentReference } from '@medplum/fhirtypes';
import { lastValueFrom, tap } from 'rxjs';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { loadForPatient } from '../records/load-records';
import { followLink } from '../records/file-download';
import { ReportsApi, type ReportDetails, type UploadProgress } from './reports-api';

/** The reports page's state: the list, one upload at a time with its progress, downloads. */
@Injectable()
export class ReportsStore {
  private readonly api = inject(ReportsApi);
  private readonly patients = inject(PatientStore);

  readonly reports = signal<(DocumentReference & { id: string })[]>([]);
  readonly loading = signal(true);
  /** Percent sent of the upload under way; undefined when none is. */
  readonly uploadPercent = signal<number | undefined>(undefined);
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  load(): Promise<void> {
    return loadForPatient(this, this.patients, async (patient) => this.reports.set(patient ? await this.api.list(patient) : []));
  }

  /** Uploads the file for the signed-in patient; the new report goes to the top of the list. */
  async upload(file: File, details: Omit<ReportDetails, 'patient'>): Promise<boolean> {
    this.error.set(undefined);
    this.message.set(undefined);
    this.uploadPercent.set(0);
    try {
      await this.patients.load();
      const patient = this.patients.reference() as string;
      const last = await lastValueFrom(
        this.api
          .upload(file, { ...details, patient })
          .pipe(tap((progress: UploadProgress) => this.uploadPercent.set(progress.kind === 'progress' ? progress.percent : 100))),
      );
      if (last.kind === 'done') {
        this.reports.update((reports) => [last.document as DocumentReference & { id: string }, ...reports]);
      }
      this.message.set(`${file.name} is uploaded.`);
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      return false;
    } finally {
      this.uploadPercent.set(undefined);
    }
  }

  /** Asks for a signed URL and lets the browser download the file from it. */
  async download(report: DocumentReference & { id: string }): Promise<void> {
    this.busyId.set(report.id);
    this.error.set(undefined);
    try {
      followLink(await this.api.downloadUrl(report.id), reportFileName(report));
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.busyId.set(undefined);
    }
  }
}

/** The name a downloaded report is saved under: its title, or the file name it was uploaded with. */
export function reportFileName(report: DocumentReference): string {
  const attachment = report.content?.[0]?.attachment;
  const name = attachment?.title ?? `report-${report.id ?? ''}`;
  const extension = EXTENSIONS[attachment?.contentType ?? ''];
  return extension && !name.toLowerCase().endsWith(extension) ? `${name}${extension}` : name;
}

const EXTENSIONS: Readonly<Record<string, string>> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'application/dicom': '.dcm',
  'image/gif': '.gif',
  'image/tiff': '.tif',
};
