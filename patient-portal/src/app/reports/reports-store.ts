import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { loadForPatient } from '../records/load-records';
import { formatHumanName } from '../shared/human-name.pipe';
import { DocumentApi, type StoredDocument, type UploadFields } from '../shared/documents/document-api';

/** What the patient says about a file they upload. */
export type ReportDetails = Pick<UploadFields, 'title' | 'category' | 'date'>;

/**
 * The reports page's state: the DocumentReferences in the patient's compartment with who added
 * each (the patient or a doctor, `DocumentReference.author`), one upload at a time with its
 * progress, downloads through a signed URL.
 */
@Injectable()
export class ReportsStore {
  private readonly fhir = inject(FhirClient);
  private readonly api = inject(DocumentApi);
  private readonly patients = inject(PatientStore);

  readonly reports = signal<StoredDocument[]>([]);
  /** Who added each report, by its id: "you" or the doctor's name; none when unknown. */
  readonly addedBy = signal<Readonly<Record<string, string>>>({});
  readonly loading = signal(true);
  /** Percent sent of the upload under way; undefined when none is. */
  readonly uploadPercent = signal<number | undefined>(undefined);
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  load(): Promise<void> {
    return loadForPatient(this, this.patients, async (patient) => {
      const { reports, addedBy } = patient ? await this.list(patient) : { reports: [], addedBy: {} };
      this.reports.set(reports);
      this.addedBy.set(addedBy);
    });
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
        this.addedBy.update((names) => ({ ...names, [document.id]: 'you' }));
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

  private async list(patient: string): Promise<{ reports: StoredDocument[]; addedBy: Record<string, string> }> {
    const bundle = await firstValueFrom(
      this.fhir.search('DocumentReference', {
        subject: patient,
        status: 'current',
        _include: 'DocumentReference:author',
        _sort: '-date',
        _count: 200,
      }),
    );
    const reports = matches(bundle) as StoredDocument[];
    const addedBy: Record<string, string> = {};
    for (const report of reports) {
      const author = report.author?.[0];
      const name =
        author?.reference === patient
          ? 'you'
          : formatHumanName(resolveReference<'Practitioner'>(bundle, author?.reference)?.name) || author?.display;
      if (name) {
        addedBy[report.id] = name;
      }
    }
    return { reports, addedBy };
  }
}
