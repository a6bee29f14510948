import type { Patient } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job } from '../../storage/notification-store';
import { recordSentEmail, recordUndeliveredEmail, type EmailNotice } from './communication-record';
import { renderNotice } from './email-templates';
import type { Mailer } from './mailer';
import type { JobSender, SendResult } from './notification-job';
import { PATIENT_EMAIL, type PatientEmailPayload } from './patient-notice-planner';
import { recipientContact } from './recipient-contact';

export interface PatientEmailOptions {
  readonly publicUrl: string;
  readonly defaultTimeZone: string;
}

/** Sends a patient notice (no clinical content in the e-mail: it points to the portal) and records it. */
export class PatientEmailSender implements JobSender {
  readonly kind = PATIENT_EMAIL;

  constructor(
    private readonly repo: FhirRepository,
    private readonly mailer: Mailer,
    private readonly options: PatientEmailOptions,
  ) {}

  async send(job: Job, now: Date): Promise<SendResult> {
    const payload = job.payload as unknown as PatientEmailPayload;
    const stored = await this.repo.readCurrent('Patient', payload.patient.split('/')[1]);
    const contact = stored && !stored.deleted ? recipientContact(JSON.parse(stored.content) as Patient) : undefined;
    if (!contact?.email) {
      return { status: 'skipped', reason: `${payload.patient} has no e-mail address` };
    }
    const rendered = renderNotice({
      kind: payload.notice,
      language: contact.language,
      timeZone: contact.timeZone ?? this.options.defaultTimeZone,
      link: `${this.options.publicUrl}/patient/`,
    });
    await this.mailer.send({ to: contact.email, subject: rendered.subject, text: rendered.text, html: rendered.html });
    await recordSentEmail(this.repo, job, patientNotice(payload), rendered.subject, now);
    return { status: 'sent' };
  }

  async onDead(job: Job, error: string, now: Date): Promise<void> {
    const payload = job.payload as unknown as PatientEmailPayload;
    await recordUndeliveredEmail(this.repo, job, patientNotice(payload), error, now);
  }
}

function patientNotice(payload: PatientEmailPayload): EmailNotice {
  return { topic: payload.notice, recipient: payload.patient, patient: payload.patient, about: payload.about };
}
