import { ChangeDetectionStrategy, Component, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';

/** What the portal uploads: PDF and images the server accepts and browsers show. */
export const DOCUMENT_TYPES: readonly string[] = ['application/pdf', 'image/png', 'image/jpeg'];
/** The server's default upload limit (DOCUMENT_MAX_BYTES); the server still has the last word. */
export const DOCUMENT_MAX_BYTES = 25 * 1024 * 1024;

/** Why a file cannot be uploaded, or undefined when it can. */
export function refusal(file: File, maxBytes: number): string | undefined {
  const type = file.type || (/\.pdf$/i.test(file.name) ? 'application/pdf' : '');
  if (!DOCUMENT_TYPES.includes(type)) {
    return `${file.name} is not a PDF, PNG or JPEG file.`;
  }
  if (file.size === 0) {
    return `${file.name} is empty.`;
  }
  if (file.size > maxBytes) {
    return `${file.name} is larger than the limit of ${Math.floor(maxBytes / 1024 / 1024)} MB.`;
  }
  return undefined;
}

/**
 * A drop zone with a file picker for one document (PDF, PNG, JPEG up to the size limit): a
 * file that fits is emitted by `picked`, one that does not is explained; `percent` shows the
 * progress of the upload under way.
 */
@Component({
  selector: 'cp-document-drop',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule],
  templateUrl: './document-drop.html',
  styleUrl: './document-drop.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DocumentDrop {
  /** Names the file input for assistive technology, e.g. "Licence document". */
  readonly label = input.required<string>();
  readonly maxBytes = input(DOCUMENT_MAX_BYTES);
  /** Percent sent of the upload under way; undefined when none is. */
  readonly percent = input<number | undefined>(undefined);
  readonly disabled = input(false);
  readonly picked = output<File>();

  protected readonly accept = DOCUMENT_TYPES.join(',');
  protected readonly dragging = signal(false);
  protected readonly problem = signal<string | undefined>(undefined);
  protected limitText(): string {
    return `${Math.floor(this.maxBytes() / 1024 / 1024)} MB`;
  }

  protected dragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected drop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    const file = event.dataTransfer?.files[0];
    if (file) {
      this.choose(file);
    }
  }

  protected chosen(input: HTMLInputElement): void {
    const file = input.files?.[0];
    if (file) {
      this.choose(file);
    }
    input.value = '';
  }

  private choose(file: File): void {
    if (this.disabled() || this.percent() !== undefined) {
      return;
    }
    const problem = refusal(file, this.maxBytes());
    this.problem.set(problem);
    if (!problem) {
      this.picked.emit(file);
    }
  }
}
