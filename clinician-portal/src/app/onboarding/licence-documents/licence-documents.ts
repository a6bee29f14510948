import { ChangeDetectionStrategy, Component, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { DocumentDrop } from '../../shared/documents/document-drop/document-drop';
import { documentSize, documentTitle } from '../../shared/documents/document-labels';
import { CredentialsStore } from '../credentials-store';
import type { StoredDocument } from '../../shared/documents/document-api';

/**
 * The wizard's documents step: the doctor uploads their licence and certificates (drag and
 * drop or a file picker, with progress), sees what they uploaded, and removes a document
 * until an administrator has verified them; after that, replaces an outdated one.
 */
@Component({
  selector: 'cp-licence-documents',
  imports: [DocumentDrop, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule],
  templateUrl: './licence-documents.html',
  styleUrl: './licence-documents.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class LicenceDocuments implements OnInit {
  /** Verified doctors keep what was verified: no removal. */
  readonly verified = input(false);
  protected readonly store = inject(CredentialsStore);
  protected readonly file = signal<File | undefined>(undefined);
  /** The document the next upload replaces, once the doctor chose "Replace". */
  protected readonly replacing = signal<StoredDocument | undefined>(undefined);
  protected title = '';
  protected readonly titleOf = documentTitle;
  protected readonly sizeOf = documentSize;

  ngOnInit(): void {
    void this.store.load();
  }

  protected pick(file: File): void {
    this.file.set(file);
    const replaced = this.replacing();
    this.title = replaced ? documentTitle(replaced) : file.name.replace(/\.[^.]+$/, '');
    this.store.message.set(undefined);
  }

  protected replace(document: StoredDocument): void {
    this.replacing.set(document);
    this.store.message.set(`Choose the file that replaces ${documentTitle(document)}.`);
  }

  protected cancel(): void {
    this.file.set(undefined);
    this.replacing.set(undefined);
  }

  protected async uploadFile(): Promise<void> {
    const file = this.file();
    if (file && (await this.store.upload(file, this.title, this.replacing()))) {
      this.cancel();
    }
  }
}
