import type { Communication, Resource } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { Job } from '../../storage/notification-store';
import { ConcurrentWriteError } from '../../storage/storage-errors';

export const NOTIFICATION_KIND_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/notification-kind';
const PARTICIPATION_MODE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode';

export interface CommunicationFacts {
  readonly status: 'completed' | 'not-done';
  /** `reminder`, `confirmation`, ... */
  readonly topic: string;
  readonly recipient: string;
  readonly patient?: string;
  readonly about?: string;
  readonly sent: Date;
  readonly summary: string;
  readonly failure?: string;
}

/**
 * The FHIR record of one notification (sent, or given up): visible to the patient and their
 * doctors, and auditable. Its id is derived from the job, so a job retried after a crash
 * between sending and recording leaves one Communication, not two.
 */
export async function recordCommunication(repo: FhirRepository, job: Job, facts: CommunicationFacts): Promise<void> {
  const id = `notification-${job.id}`;
  const lastUpdated = new Date().toISOString();
  const communication: Communication & { id: string } = {
    resourceType: 'Communication',
    id,
    meta: { versionId: '1', lastUpdated },
    status: facts.status,
    ...(facts.failure ? { statusReason: { text: facts.failure.slice(0, 1000) } } : {}),
    category: [{ coding: [{ system: NOTIFICATION_KIND_SYSTEM, code: facts.topic }] }],
    medium: [{ coding: [{ system: PARTICIPATION_MODE, code: 'EMAILWRIT', display: 'email' }] }],
    ...(facts.patient ? { subject: { reference: facts.patient } } : {}),
    ...(facts.about ? { about: [{ reference: facts.about }] } : {}),
    recipient: [{ reference: facts.recipient }],
    ...(facts.status === 'completed' ? { sent: facts.sent.toISOString() } : {}),
    payload: [{ contentString: facts.summary }],
  };
  try {
    await repo.writeVersion({
      resource: communication as Resource & { id: string },
      versionId: 1,
      lastUpdated,
      method: 'PUT',
      deleted: false,
    });
  } catch (error) {
    if (!(error instanceof ConcurrentWriteError)) {
      throw error;
    }
  }
}

/** Who and what an e-mail notification is about: the part of its record every sender knows. */
export type EmailNotice = Pick<CommunicationFacts, 'topic' | 'recipient' | 'patient' | 'about'>;

/** The record of an e-mail that went out. */
export function recordSentEmail(repo: FhirRepository, job: Job, notice: EmailNotice, subject: string, now: Date): Promise<void> {
  return recordCommunication(repo, job, { ...notice, status: 'completed', sent: now, summary: subject });
}

/** The record of an e-mail given up on after its last attempt. */
export function recordUndeliveredEmail(repo: FhirRepository, job: Job, notice: EmailNotice, error: string, now: Date): Promise<void> {
  return recordCommunication(repo, job, {
    ...notice,
    status: 'not-done',
    sent: now,
    summary: `${notice.topic} e-mail not delivered`,
    failure: error,
  });
}
