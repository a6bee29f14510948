import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { DocumentApi, type StoredDocument } from '../shared/documents/document-api';

/** Which consultation a report is for: the patient it is about and the Encounter it belongs to. */
export interface ReportTarget {
  readonly patient: string;
  readonly encounter: string;
}

/** What the doctor says about a report they upload. */
export interface ReportDetails {
  readonly title: string;
  readonly category: string;
  /** YYYY-MM-DD; default now. */
  readonly date?: string;
}

/**
 * Reports the doctor uploads for the patient during a consultation (lab reports, referral
 * letters...): DocumentReferences about the patient, authored by the doctor, in the context of
 * the Encounter; the patient finds them among their reports.
 */
@Injectable()
export class ReportStore {
  private readonly fhir = inject(FhirClient);
  private readonly api = inject(DocumentApi);
  private target: ReportTarget | undefined;

  /** The reports of this consultation, newest first. */
  readonly reports = signal<readonly StoredDocument[]>([]);
  readonly uploadPercent = signal<number | undefined>(undefined);
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  async open(target: ReportTarget): Promise<void> {
    this.target = target;
    try {
      const bundle = await firstValueFrom(
        this.fhir.search('DocumentReference', { patient: target.patient, encounter: target.encounter, _sort: '-date', _count: 100 }),
      );
      this.reports.set(matches(bundle) as StoredDocument[]);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    }
  }

  async upload(file: File, details: ReportDetails): Promise<boolean> {
    const target = this.target;
    if (!target) {
      return false;
    }
    this.error.set(undefined);
    this.message.set(undefined);
    try {
      const document = await this.api.uploadShowingProgress(
        file,
        {
          patient: target.patient,
          encounter: target.encounter,
          title: details.title.trim() || file.name,
          category: details.category,
          date: details.date || undefined,
        },
        this.uploadPercent,
      );
      if (document) {
        this.reports.update((reports) => [document, ...reports]);
      }
      this.message.set(`${file.name} is uploaded for the patient.`);
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      return false;
    }
  }

  async download(report: StoredDocument): Promise<void> {
    this.busyId.set(report.id);
    this.error.set(undefined);
    try {
      await this.api.download(report);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.busyId.set(undefined);
    }
  }
}
