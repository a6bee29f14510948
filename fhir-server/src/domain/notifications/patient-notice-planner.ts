import type { DiagnosticReport, DocumentReference, MedicationRequest, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { NotificationStore } from '../../storage/notification-store';
import type { ResourceChange } from '../../storage/resource-changes';
import type { NoticeKind } from './email-templates';
import type { ChangePlanner } from './notification-job';

export const PATIENT_EMAIL = 'patient-email';

/** What a patient e-mail job carries. */
export interface PatientEmailPayload {
  readonly notice: NoticeKind;
  readonly patient: string;
  /** `MedicationRequest/1`: what the notice is about. */
  readonly about: string;
}

/** Which writes tell the patient something, and what: one notice per resource, ever. */
const RULES: Record<string, (resource: Resource) => { notice: NoticeKind; subject?: Reference } | undefined> = {
  MedicationRequest: (r) => {
    const request = r as MedicationRequest;
    return request.status === 'active' && request.intent === 'order'
      ? { notice: 'prescription-ready', subject: request.subject }
      : undefined;
  },
  DiagnosticReport: (r) => {
    const report = r as DiagnosticReport;
    return report.status === 'final' || report.status === 'amended' ? { notice: 'report-uploaded', subject: report.subject } : undefined;
  },
  // A doctor recommends a follow-up with a proposed ServiceRequest for the patient (domain/scheduling/follow-ups.ts).
  ServiceRequest: (r) => {
    const request = r as ServiceRequest;
    return request.status === 'active' && request.intent === 'proposal' ? { notice: 'follow-up', subject: request.subject } : undefined;
  },
  DocumentReference: (r) => {
    const document = r as DocumentReference;
    return document.status === 'current' ? { notice: 'report-uploaded', subject: document.subject } : undefined;
  },
};

export interface PatientNoticeOptions {
  readonly maxAttempts: number;
}

/**
 * Transactional e-mails to a patient about their record: a prescription ordered, a report or
 * document made available, a follow-up consultation recommended. The first version that qualifies plans the notice; later versions
 * of the same resource do not repeat it (the dedupe key is per resource).
 */
export class PatientNoticePlanner implements ChangePlanner {
  constructor(private readonly options: PatientNoticeOptions) {}

  async plan(change: ResourceChange, tx: NotificationStore, now: Date, repo: FhirRepository): Promise<void> {
    const rule = RULES[change.resourceType];
    if (!rule) {
      return;
    }
    const version = await repo.readVersion(change.resourceType, change.resourceId, change.versionId);
    if (!version || version.deleted) {
      return;
    }
    const outcome = rule(JSON.parse(version.content) as Resource);
    const patient = /^Patient\/[A-Za-z0-9\-.]{1,64}$/.exec(outcome?.subject?.reference ?? '')?.[0];
    if (!outcome || !patient) {
      return;
    }
    const about = `${change.resourceType}/${change.resourceId}`;
    const payload: PatientEmailPayload = { notice: outcome.notice, patient, about };
    await tx.enqueue([
      {
        kind: PATIENT_EMAIL,
        dedupeKey: `${about}/${outcome.notice}`,
        groupKey: about,
        payload: { ...payload },
        dueAt: now,
        maxAttempts: this.options.maxAttempts,
      },
    ]);
  }
}
