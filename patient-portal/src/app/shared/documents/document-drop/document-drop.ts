import { ChangeDetectionStrategy, Component, computed, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatProgressBarModule } from '@angular/material/progress-bar';

/** A kind of file the portals upload: its name for people, its content type, its file name extensions. */
export interface DocumentKind {
  readonly name: string;
  readonly type: string;
  readonly extensions: readonly string[];
}

export const PDF: DocumentKind = { name: 'PDF', type: 'application/pdf', extensions: ['.pdf'] };
export const PNG: DocumentKind = { name: 'PNG', type: 'image/png', extensions: ['.png'] };
export const JPEG: DocumentKind = { name: 'JPEG', type: 'image/jpeg', extensions: ['.jpg', '.jpeg'] };
export const DICOM: DocumentKind = { name: 'DICOM', type: 'application/dicom', extensions: ['.dcm'] };

/** What the portals upload by default: PDF and images the server accepts and browsers show. */
export const DOCUMENT_KINDS: readonly DocumentKind[] = [PDF, PNG, JPEG];
/** The server's default upload limit (DOCUMENT_MAX_BYTES); the server still has the last word. */
export const DOCUMENT_MAX_BYTES = 25 * 1024 * 1024;

/** The kinds' names for people: `PDF, PNG or JPEG`. */
export function kindNames(kinds: readonly DocumentKind[]): string {
  const names = kinds.map((kind) => kind.name);
  return names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? '');
}

/**
 * Why a file cannot be uploaded, or undefined when it can. A file the browser gives no type
 * (a DICOM file, often) is known by its extension.
 */
export function refusal(file: File, maxBytes: number, kinds: readonly DocumentKind[] = DOCUMENT_KINDS): string | undefined {
  const name = file.name.toLowerCase();
  const known = kinds.some((kind) => (file.type ? kind.type === file.type : kind.extensions.some((extension) => name.endsWith(extension))));
  if (!known) {
    return `${file.name} is not a ${kindNames(kinds)} file.`;
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
 * A drop zone with a file picker for one document (of `kinds`, up to the size limit): a file
 * that fits is emitted by `picked`, one that does not is explained; `percent` shows the
 * progress of the upload under way.
 */
@Component({
  selector: 'pp-document-drop',
  imports: [MatButtonModule, MatIconModule, MatProgressBarModule],
  templateUrl: './document-drop.html',
  styleUrl: './document-drop.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DocumentDrop {
  /** Names the file input for assistive technology, e.g. "Licence document". */
  readonly label = input.required<string>();
  readonly kinds = input<readonly DocumentKind[]>(DOCUMENT_KINDS);
  readonly maxBytes = input(DOCUMENT_MAX_BYTES);
  /** Percent sent of the upload under way; undefined when none is. */
  readonly percent = input<number | undefined>(undefined);
  readonly disabled = input(false);
  readonly picked = output<File>();

  protected readonly accept = computed(() =>
    [...this.kinds().flatMap((kind) => kind.extensions), ...this.kinds().map((kind) => kind.type)].join(','),
  );
  protected readonly kindText = computed(() => kindNames(this.kinds()));
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
    const problem = refusal(file, this.maxBytes(), this.kinds());
    this.problem.set(problem);
    if (!problem) {
      this.picked.emit(file);
    }
  }
}
