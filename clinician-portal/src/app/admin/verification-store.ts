import { computed, inject, Injectable, signal } from '@angular/core';
import type { Parameters, Practitioner } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resourcesOfType } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { CREDENTIAL_CATEGORY, DocumentApi, type StoredDocument } from '../shared/documents/document-api';

export type VerificationDecision = 'validated' | 'rejected';

/**
 * Doctors not yet active (awaiting verification) with their credential documents (licence,
 * certificates: DocumentReferences about them in the credential category, which administrators
 * may read), and the administrator's decisions on them.
 */
@Injectable()
export class VerificationStore {
  private readonly fhir = inject(FhirClient);
  private readonly documentApi = inject(DocumentApi);
  private readonly pendingDoctors = signal<readonly Practitioner[]>([]);
  private readonly credentials = signal<readonly StoredDocument[]>([]);
  private readonly opening = signal<string | undefined>(undefined);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly lastDecision = signal<string | undefined>(undefined);

  readonly pending = this.pendingDoctors.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly message = this.lastDecision.asReadonly();
  readonly empty = computed(() => !this.busy() && this.pendingDoctors().length === 0);
  /** The document being opened. */
  readonly busyId = this.opening.asReadonly();
  /** Credential documents by `Practitioner/<id>`. */
  readonly documents = computed(() => {
    const bySubject = new Map<string, StoredDocument[]>();
    for (const document of this.credentials()) {
      const subject = document.subject?.reference ?? '';
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), document]);
    }
    return bySubject;
  });

  async load(): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const bundle = await firstValueFrom(
        this.fhir.search('Practitioner', {
          active: false,
          _sort: '_lastUpdated',
          _count: 100,
          _revinclude: 'DocumentReference:subject',
        }),
      );
      this.pendingDoctors.set(matches(bundle));
      const documents = resourcesOfType(bundle, 'DocumentReference') as StoredDocument[];
      this.credentials.set(documents.filter((document) => isCredential(document) && document.status === 'current'));
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Downloads a doctor's document through a signed URL, to check it before deciding. */
  async open(document: StoredDocument): Promise<void> {
    this.opening.set(document.id);
    this.failure.set(undefined);
    try {
      await this.documentApi.download(document);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.opening.set(undefined);
    }
  }

  /** `Practitioner/[id]/$verify`; the doctor leaves the queue once the server has recorded it. */
  async decide(practitioner: Practitioner, status: VerificationDecision, reason: string): Promise<boolean> {
    const id = practitioner.id;
    if (!id || !reason.trim()) {
      this.failure.set('Give a reason for the decision.');
      return false;
    }
    this.failure.set(undefined);
    const body: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'status', valueCode: status },
        { name: 'reason', valueString: reason.trim() },
      ],
    };
    try {
      await firstValueFrom(this.fhir.operation<Parameters>(`Practitioner/${encodeURIComponent(id)}/$verify`, { body }));
      this.pendingDoctors.update((doctors) => doctors.filter((doctor) => doctor.id !== id));
      this.lastDecision.set(status === 'validated' ? 'Doctor verified.' : 'Doctor rejected.');
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }
}

function isCredential(document: StoredDocument): boolean {
  const [system, code] = CREDENTIAL_CATEGORY.split('|');
  return document.category?.some((c) => c.coding?.some((coding) => coding.system === system && coding.code === code)) ?? false;
}
