import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { CREDENTIAL_CATEGORY, DocumentApi, type StoredDocument } from '../shared/documents/document-api';
import { documentTitle } from '../shared/documents/document-labels';

/**
 * The doctor's own credential documents (licence, diplomas) for verification: DocumentReferences
 * about their Practitioner in the credential category, which only they and administrators see.
 * They upload them during onboarding and may remove them until an administrator has verified them;
 * after that, an outdated one (an expired licence) is retired by uploading its renewal, which
 * supersedes it.
 */
@Injectable()
export class CredentialsStore {
  private readonly fhir = inject(FhirClient);
  private readonly api = inject(DocumentApi);
  private readonly auth = inject(AuthStore);

  readonly documents = signal<readonly StoredDocument[]>([]);
  readonly loading = signal(true);
  /** Percent sent of the upload under way; undefined when none is. */
  readonly uploadPercent = signal<number | undefined>(undefined);
  /** The document being opened or removed. */
  readonly busyId = signal<string | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  readonly message = signal<string | undefined>(undefined);

  async load(): Promise<void> {
    const practitioner = this.practitioner();
    if (!practitioner) {
      this.loading.set(false);
      return;
    }
    this.loading.set(true);
    try {
      const bundle = await firstValueFrom(
        this.fhir.search('DocumentReference', { subject: practitioner, category: CREDENTIAL_CATEGORY, _sort: '-date', _count: 100 }),
      );
      this.documents.set(matches(bundle) as StoredDocument[]);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  /**
   * Uploads a credential document of the signed-in doctor; it goes to the top of the list. With
   * `replaces`, the new document supersedes that one (the server marks it so in the same write).
   */
  async upload(file: File, title: string, replaces?: StoredDocument): Promise<boolean> {
    const practitioner = this.practitioner();
    if (!practitioner) {
      return false;
    }
    this.error.set(undefined);
    this.message.set(undefined);
    try {
      const fields = {
        practitioner,
        title: title.trim() || file.name,
        category: 'Licence or certificate',
        replaces: replaces && `DocumentReference/${replaces.id}`,
      };
      const document = await this.api.uploadShowingProgress(file, fields, this.uploadPercent);
      if (document) {
        const superseded = (d: StoredDocument): StoredDocument => (d.id === replaces?.id ? { ...d, status: 'superseded' } : d);
        this.documents.update((documents) => [document, ...documents.map(superseded)]);
      }
      this.message.set(replaces ? `${file.name} is uploaded and replaces ${documentTitle(replaces)}.` : `${file.name} is uploaded.`);
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      return false;
    }
  }

  /** Removes a document (the server refuses once the doctor is verified). */
  async remove(document: StoredDocument): Promise<void> {
    await this.busyWith(document, async () => {
      await this.api.remove(document);
      this.documents.update((documents) => documents.filter((d) => d.id !== document.id));
      this.message.set('The document is removed.');
    });
  }

  /** Downloads the document through a signed URL. */
  async open(document: StoredDocument): Promise<void> {
    await this.busyWith(document, () => this.api.download(document));
  }

  private async busyWith(document: StoredDocument, work: () => Promise<void>): Promise<void> {
    this.busyId.set(document.id);
    this.error.set(undefined);
    try {
      await work();
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.busyId.set(undefined);
    }
  }

  private practitioner(): string | undefined {
    const reference = this.auth.fhirUser();
    return reference?.startsWith('Practitioner/') ? reference : undefined;
  }
}
