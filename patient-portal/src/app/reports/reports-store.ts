import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { loadForPatient } from '../records/load-records';
import { DocumentApi, type StoredDocument, type UploadFields } from '../shared/documents/document-api';

/** What the patient says about a file they upload. */
export type ReportDetails = Pick<UploadFields, 'title' | 'category' | 'date'>;

/**
 * The reports page's state: the DocumentReferences in the patient's compartment, one upload at a
 * time with its progress, downloads through a signed URL.
 */
@Injectable()
export class ReportsStore {
  private readonly fhir = inject(FhirClient);
  private readonly api = inject(DocumentApi);
  private readonly patients = inject(PatientStore);

  readonly reports = signal<StoredDocument[]>([]);
  readonly loading = signal(true);
  /** Percent sent of the upload under way; undefined when none is. */
  readonly uploadPercent = signal<number | undefined>(undefined);
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  load(): Promise<void> {
    return loadForPatient(this, this.patients, async (patient) => this.reports.set(patient ? await this.list(patient) : []));
  }

  /** Uploads the file for the signed-in patient; the new report goes to the top of the list. */
  async upload(file: File, details: ReportDetails): Promise<boolean> {
    this.error.set(undefined);
    this.message.set(undefined);
    this.uploadPercent.set(0);
    try {
      await this.patients.load();
      const patient = this.patients.reference() as string;
      const document = await this.api.uploadShowingProgress(file, { ...details, patient }, this.uploadPercent);
      if (document) {
        this.reports.update((reports) => [document, ...reports]);
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
  async download(report: StoredDocument): Promise<void> {
    this.busyId.set(report.id);
    this.error.set(undefined);
    try {
      await this.api.download(report, 'report');
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.busyId.set(undefined);
    }
  }

  private async list(patient: string): Promise<StoredDocument[]> {
    const bundle = await firstValueFrom(
      this.fhir.search('DocumentReference', { subject: patient, status: 'current', _sort: '-date', _count: 200 }),
    );
    return matches(bundle) as StoredDocument[];
  }
}
