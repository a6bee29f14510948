import type { Appointment, Patient, Practitioner } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job } from '../../storage/notification-store';
import { APPOINTMENT_EMAIL, type AppointmentEmailPayload } from './appointment-planner';
import { recordSentEmail, recordUndeliveredEmail, type EmailNotice } from './communication-record';
import { renderNotice } from './email-templates';
import type { Mailer } from './mailer';
import type { JobSender, SendResult } from './notification-job';
import { recipientContact } from './recipient-contact';

export interface AppointmentEmailOptions {
  /** Public URL of the server; the portals are below it (`/patient/`, `/clinician/`). */
  readonly publicUrl: string;
  /** Zone for recipients whose resource does not say theirs. */
  readonly defaultTimeZone: string;
}

/**
 * Sends one appointment e-mail and records it as a Communication. The appointment is read
 * again first: a notice about a start that has changed, or an appointment no longer booked,
 * is skipped (cancellations excepted), so a late job never tells an outdated story.
 */
export class AppointmentEmailSender implements JobSender {
  readonly kind = APPOINTMENT_EMAIL;

  constructor(
    private readonly repo: FhirRepository,
    private readonly mailer: Mailer,
    private readonly options: AppointmentEmailOptions,
  ) {}

  async send(job: Job, now: Date): Promise<SendResult> {
    const payload = job.payload as unknown as AppointmentEmailPayload;
    const appointment = await this.read<Appointment>(payload.appointment);
    if (payload.notice !== 'cancellation') {
      const start = appointment?.start ? new Date(appointment.start).toISOString() : undefined;
      if (appointment?.status !== 'booked' || start !== payload.start) {
        return { status: 'skipped', reason: 'the appointment changed after this notice was planned' };
      }
    }
    const person = await this.read<Patient | Practitioner>(payload.recipient);
    const contact = person && recipientContact(person);
    if (!contact?.email) {
      return { status: 'skipped', reason: `${payload.recipient} has no e-mail address` };
    }
    const rendered = renderNotice({
      kind: payload.notice,
      start: payload.start ? new Date(payload.start) : undefined,
      minutesBefore: payload.minutesBefore,
      withWhom: appointment && otherParticipant(appointment, payload.recipient),
      language: contact.language,
      timeZone: contact.timeZone ?? this.options.defaultTimeZone,
      link: portalLink(this.options.publicUrl, payload.recipient),
    });
    await this.mailer.send({ to: contact.email, subject: rendered.subject, text: rendered.text, html: rendered.html });
    await recordSentEmail(this.repo, job, appointmentNotice(payload), rendered.subject, now);
    return { status: 'sent' };
  }

  async onDead(job: Job, error: string, now: Date): Promise<void> {
    const payload = job.payload as unknown as AppointmentEmailPayload;
    await recordUndeliveredEmail(this.repo, job, appointmentNotice(payload), error, now);
  }

  private async read<T>(reference: string): Promise<T | undefined> {
    const [type, id] = reference.split('/');
    const stored = await this.repo.readCurrent(type, id);
    return stored && !stored.deleted ? (JSON.parse(stored.content) as T) : undefined;
  }
}

/** The name shown for the other side: the doctor for a patient, the patient for a doctor. */
function otherParticipant(appointment: Appointment, recipient: string): string | undefined {
  const otherType = recipient.startsWith('Patient/') ? 'Practitioner/' : 'Patient/';
  return appointment.participant?.find((p) => p.actor?.reference?.startsWith(otherType) && p.actor.display)?.actor?.display;
}

function portalLink(publicUrl: string, recipient: string): string {
  return `${publicUrl}/${recipient.startsWith('Patient/') ? 'patient' : 'clinician'}/`;
}

function appointmentNotice(payload: AppointmentEmailPayload): EmailNotice {
  return { topic: payload.notice, recipient: payload.recipient, patient: payload.patient, about: payload.appointment };
}
