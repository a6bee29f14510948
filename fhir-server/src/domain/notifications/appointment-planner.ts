import type { Appointment } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { NewJob, NotificationStore } from '../../storage/notification-store';
import type { ResourceChange } from '../../storage/resource-changes';
import { appointmentTransition, remindersFor, type AppointmentNoticeState } from './appointment-transition';
import type { NoticeKind } from './email-templates';
import type { ChangePlanner } from './notification-job';

export const APPOINTMENT_EMAIL = 'appointment-email';

/** What an appointment e-mail job carries; the rest is read when it is sent. */
export interface AppointmentEmailPayload {
  readonly appointment: string;
  readonly recipient: string;
  readonly patient?: string;
  readonly notice: NoticeKind;
  /** ISO instant of the start the notice is about. */
  readonly start?: string;
  readonly minutesBefore?: number;
}

export interface AppointmentPlannerOptions {
  /** Minutes before the start at which reminders go out (e.g. 1440, 60, 10). */
  readonly reminderOffsetsMinutes: readonly number[];
  readonly maxAttempts: number;
}

/**
 * Plans the e-mails of an Appointment from its latest version (see appointmentTransition),
 * serialised per appointment by a lock so two processes planning two of its changes agree.
 */
export class AppointmentPlanner implements ChangePlanner {
  constructor(
    /** Unfiltered: the server plans for every appointment. */
    private readonly repo: FhirRepository,
    private readonly options: AppointmentPlannerOptions,
  ) {}

  async plan(change: ResourceChange, tx: NotificationStore, now: Date): Promise<void> {
    if (change.resourceType !== 'Appointment') {
      return;
    }
    const subject = `Appointment/${change.resourceId}`;
    await tx.lock(subject);
    const current = await this.repo.readCurrent('Appointment', change.resourceId);
    const appointment = current && !current.deleted ? (JSON.parse(current.content) as Appointment) : undefined;
    const plan = appointmentTransition(await tx.readState<AppointmentNoticeState>(subject), appointment);
    if (plan.cancelReminders) {
      await tx.cancelPending(`${subject}/reminders`);
    }
    const start = plan.state.start;
    const patient = plan.recipients.find((r) => r.startsWith('Patient/'));
    const job = (notice: NoticeKind, recipient: string, key: string, extra: Partial<NewJob>, minutesBefore?: number): NewJob => {
      const payload: AppointmentEmailPayload = { appointment: subject, recipient, patient, notice, start, minutesBefore };
      return {
        kind: APPOINTMENT_EMAIL,
        dedupeKey: `${subject}/${key}/${start ?? '-'}/${recipient}`,
        groupKey: `${subject}/notices`,
        payload: { ...payload },
        dueAt: now,
        maxAttempts: this.options.maxAttempts,
        ...extra,
      };
    };
    const jobs: NewJob[] = [];
    for (const notice of plan.notices) {
      // A confirmation or move notice is pointless once the consultation has started.
      const expiresAt = notice === 'cancellation' || !start ? undefined : new Date(start);
      jobs.push(...plan.recipients.map((recipient) => job(notice, recipient, notice, { expiresAt })));
    }
    if (plan.planReminders && start) {
      // Changes are planned within one cron period of their write: planning time stands for booking time.
      for (const reminder of remindersFor(new Date(start), this.options.reminderOffsetsMinutes, now, now)) {
        jobs.push(
          ...plan.recipients.map((recipient) =>
            job(
              'reminder',
              recipient,
              `reminder-${reminder.minutesBefore}m`,
              {
                groupKey: `${subject}/reminders`,
                dueAt: reminder.dueAt,
                expiresAt: reminder.expiresAt,
              },
              reminder.minutesBefore,
            ),
          ),
        );
      }
    }
    await tx.enqueue(jobs);
    await tx.writeState(subject, 'Appointment', plan.state);
  }
}
