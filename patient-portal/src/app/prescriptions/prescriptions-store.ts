import { inject, Injectable, signal } from '@angular/core';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { loadForPatient } from '../records/load-records';
import { binaryBlob, followLink, saveBlob } from '../records/file-download';
import { PrescriptionsApi, type Prescription } from './prescriptions-api';

/** The prescriptions page's state: the list, and fetching a signed PDF to open or save. */
@Injectable()
export class PrescriptionsStore {
  private readonly api = inject(PrescriptionsApi);
  private readonly patients = inject(PatientStore);

  readonly prescriptions = signal<Prescription[]>([]);
  readonly loading = signal(true);
  readonly busyKey = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);

  load(): Promise<void> {
    return loadForPatient(this, this.patients, async (patient) => this.prescriptions.set(patient ? await this.api.list(patient) : []));
  }

  /** Opens the signed PDF in a new tab (`save`: downloads it instead). */
  async openPdf(prescription: Prescription, save = false): Promise<void> {
    this.busyKey.set(prescription.key);
    this.error.set(undefined);
    try {
      const binary = await this.api.pdf(prescription.requestId);
      const blob = binaryBlob(binary.data ?? '', binary.contentType ?? 'application/pdf');
      if (save) {
        saveBlob(blob, `prescription-${prescription.key.replace(/[^A-Za-z0-9-]/g, '-')}.pdf`);
      } else {
        const url = URL.createObjectURL(blob);
        followLink(url);
        setTimeout(() => URL.revokeObjectURL(url), 60_000);
      }
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.busyKey.set(undefined);
    }
  }
}
