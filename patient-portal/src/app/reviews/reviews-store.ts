import { inject, Injectable, signal } from '@angular/core';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { PatientStore } from '../patient/patient-store';
import { loadForPatient } from '../records/load-records';
import { ReviewsApi, type ReviewableConsultation, type ReviewInput } from './reviews-api';

/** The reviews page's state: finished consultations, with or without the patient's review. */
@Injectable()
export class ReviewsStore {
  private readonly api = inject(ReviewsApi);
  private readonly patients = inject(PatientStore);

  readonly consultations = signal<ReviewableConsultation[]>([]);
  readonly loading = signal(true);
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  load(): Promise<void> {
    return loadForPatient(this, this.patients, async (patient) =>
      this.consultations.set(patient ? await this.api.consultations(patient) : []),
    );
  }

  async submit(consultation: ReviewableConsultation, input: ReviewInput): Promise<boolean> {
    this.busyId.set(consultation.encounter.id);
    this.error.set(undefined);
    this.message.set(undefined);
    try {
      const review = await this.api.submit(consultation, this.patients.reference() as string, input);
      this.consultations.update((all) =>
        all.map((other) => (other.encounter.id === consultation.encounter.id ? { ...other, review } : other)),
      );
      this.message.set(`Thank you: your review of ${consultation.doctorName} is published.`);
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      return false;
    } finally {
      this.busyId.set(undefined);
    }
  }
}
