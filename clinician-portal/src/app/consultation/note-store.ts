import { HttpErrorResponse } from '@angular/common/http';
import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Composition } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { draftNote, EMPTY_SOAP, soapText, withText, type SoapSection, type SoapText } from './soap-note';

/** Typing pauses this long before the note is saved. */
export const AUTOSAVE_MS = 1200;

/**
 * What the doctor sees of the note's saving: `unsaved` edits wait for a pause, `conflict`
 * means someone else saved the note since it was read (412) and the doctor must choose.
 */
export type SaveState = 'new' | 'unsaved' | 'saving' | 'saved' | 'conflict' | 'failed' | 'signed' | 'amending';

export const AMENDMENT_REASON_URL = 'https://medbuddy.dev/fhir/StructureDefinition/amendment-reason';

export interface NoteIds {
  readonly patient: string;
  readonly encounter: string;
  readonly author: string;
}

/**
 * The consultation's SOAP note (a Composition): auto-saved after each pause in typing with
 * `PUT` + `If-Match`, so a concurrent change is never overwritten silently; on a conflict the
 * doctor reloads the other version or overwrites it. Signing (`$sign`) makes it final.
 */
@Injectable()
export class NoteStore {
  private readonly fhir = inject(FhirClient);
  private ids: NoteIds | undefined;
  private readonly stored = signal<Composition | undefined>(undefined);
  private readonly draft = signal<SoapText>({ ...EMPTY_SOAP });
  private readonly status = signal<SaveState>('new');
  private readonly other = signal<Composition | undefined>(undefined);
  private readonly failure = signal<string | undefined>(undefined);
  /** Bumped on every edit; a save that finishes after newer edits leaves the note unsaved. */
  private revision = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<void> | undefined;

  readonly note = this.stored.asReadonly();
  readonly text = this.draft.asReadonly();
  readonly state = this.status.asReadonly();
  readonly error = this.failure.asReadonly();
  /** The version saved by someone else, while in conflict. */
  readonly theirs = this.other.asReadonly();
  readonly signed = computed(() => ['final', 'amended'].includes(this.stored()?.status ?? ''));
  /** The text can be typed in: a draft, or a signed note being amended. */
  readonly editable = computed(() => !this.signed() || this.status() === 'amending');

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
  }

  /** Starts from the encounter's stored note, or from nothing (created on the first save). */
  open(ids: NoteIds, existing: Composition | undefined): void {
    this.ids = ids;
    this.stored.set(existing);
    this.draft.set(existing ? soapText(existing) : { ...EMPTY_SOAP });
    this.status.set(existing ? (this.signed() ? 'signed' : 'saved') : 'new');
  }

  edit(section: SoapSection, value: string): void {
    if (this.status() === 'signed') {
      return;
    }
    this.draft.update((text) => ({ ...text, [section]: value }));
    this.changed();
  }

  /** Fills the empty sections from a template's text. */
  applyTemplate(template: SoapText): void {
    this.draft.update((text) => {
      const next = { ...text };
      for (const key of Object.keys(template) as SoapSection[]) {
        next[key] = next[key].trim() ? next[key] : template[key];
      }
      return next;
    });
    this.changed();
  }

  /** Saves now (waits for a save in flight; retries a failed save); nothing to do when saved, in conflict or signed. */
  async saveNow(): Promise<void> {
    clearTimeout(this.timer);
    await this.saving;
    if (this.status() !== 'unsaved' && this.status() !== 'failed') {
      return;
    }
    this.saving = this.write();
    await this.saving;
    this.saving = undefined;
  }

  /** Conflict resolution: take the other version and drop the local edits. */
  reloadTheirs(): void {
    const theirs = this.other();
    if (theirs) {
      this.stored.set(theirs);
      this.draft.set(soapText(theirs));
      this.other.set(undefined);
      this.status.set('saved');
    }
  }

  /** Conflict resolution: write the local text over the other version (based on it, so still guarded). */
  async overwrite(): Promise<void> {
    const theirs = this.other();
    if (!theirs) {
      return;
    }
    this.stored.set(theirs);
    this.other.set(undefined);
    this.status.set('unsaved');
    await this.saveNow();
  }

  /** Saves pending edits, then `$sign`s the version saved; the note becomes final. */
  async sign(): Promise<boolean> {
    await this.saveNow();
    const note = this.stored();
    if (!note?.id || this.status() !== 'saved') {
      this.failure.set(this.status() === 'conflict' ? 'Resolve the conflict before signing.' : 'Write the note before signing.');
      return false;
    }
    try {
      const signed = await firstValueFrom(
        this.fhir.operation<Composition>(`Composition/${note.id}/$sign`, { ifMatch: note.meta?.versionId }),
      );
      this.stored.set(signed);
      this.status.set('signed');
      this.failure.set(undefined);
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }

  /** A signed note is changed only as an amendment, saved explicitly with a reason. */
  startAmendment(): void {
    if (this.status() === 'signed') {
      this.status.set('amending');
    }
  }

  cancelAmendment(): void {
    const note = this.stored();
    if (this.status() === 'amending' && note) {
      this.draft.set(soapText(note));
      this.status.set('signed');
    }
  }

  /** `PUT` of the signed note with status `amended` and the reason (guarded by `If-Match`). */
  async saveAmendment(reason: string): Promise<boolean> {
    const note = this.stored();
    if (this.status() !== 'amending' || !note?.id) {
      return false;
    }
    if (!reason.trim()) {
      this.failure.set('Give the reason for the amendment.');
      return false;
    }
    const amended: Composition & { id: string } = {
      ...withText(note, this.draft()),
      id: note.id,
      status: 'amended',
      extension: [
        ...(note.extension ?? []).filter((e) => e.url !== AMENDMENT_REASON_URL),
        { url: AMENDMENT_REASON_URL, valueString: reason.trim() },
      ],
    };
    try {
      this.stored.set(await firstValueFrom(this.fhir.update(amended)));
      this.status.set('signed');
      this.failure.set(undefined);
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }

  private changed(): void {
    if (this.status() === 'signed' || this.status() === 'amending') {
      return;
    }
    this.revision++;
    if (this.status() !== 'conflict') {
      this.status.set('unsaved');
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.saveNow(), AUTOSAVE_MS);
  }

  private async write(): Promise<void> {
    const ids = this.ids;
    if (!ids) {
      return;
    }
    const revision = this.revision;
    const text = this.draft();
    const current = this.stored();
    this.status.set('saving');
    try {
      const saved = current?.id
        ? await firstValueFrom(this.fhir.update({ ...withText(current, text), id: current.id }))
        : await firstValueFrom(this.fhir.create(draftNote(text, ids)));
      this.stored.set(saved);
      this.failure.set(undefined);
      this.status.set(revision === this.revision ? 'saved' : 'unsaved');
      if (revision !== this.revision) {
        this.timer = setTimeout(() => void this.saveNow(), AUTOSAVE_MS);
      }
    } catch (error) {
      if (error instanceof HttpErrorResponse && error.status === 412 && current?.id) {
        this.other.set(await firstValueFrom(this.fhir.read('Composition', current.id)).catch(() => undefined));
        this.status.set('conflict');
      } else {
        this.failure.set(outcomeMessage(error));
        this.status.set('failed');
      }
    }
  }
}
