import { ChangeDetectionStrategy, Component, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { DocumentDrop } from '../../shared/documents/document-drop/document-drop';
import { documentSize, documentTitle } from '../../shared/documents/document-labels';
import { CredentialsStore } from '../credentials-store';

/**
 * The wizard's documents step: the doctor uploads their licence and certificates (drag and
 * drop or a file picker, with progress), sees what they uploaded, and removes a document
 * until an administrator has verified them.
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
  protected title = '';
  protected readonly titleOf = documentTitle;
  protected readonly sizeOf = documentSize;

  ngOnInit(): void {
    void this.store.load();
  }

  protected pick(file: File): void {
    this.file.set(file);
    this.title = file.name.replace(/\.[^.]+$/, '');
    this.store.message.set(undefined);
  }

  protected async uploadFile(): Promise<void> {
    const file = this.file();
    if (file && (await this.store.upload(file, this.title))) {
      this.file.set(undefined);
    }
  }
}
