import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal, untracked } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatAutocompleteModule } from '@angular/material/autocomplete';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import type { MedicationRequest, Questionnaire } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../../core/fhir/fhir-client';
import { matches } from '../../core/fhir/bundle';
import type { Choice } from '../../terminology/value-set-api';
import { ConsultationStore } from '../consultation-store';
import { NoteStore, type SaveState } from '../note-store';
import { PrescriptionStore } from '../prescription-store';
import { ReportUpload } from '../report-upload/report-upload';
import { SOAP_SECTIONS, templateText, type SoapSection } from '../soap-note';
import { VideoPanel } from '../video-panel/video-panel';
import { VideoRoom } from '../video-room';
import { outcomeMessage } from '../../core/fhir/outcome-message';

const SAVE_LABELS: Readonly<Record<SaveState, string>> = {
  new: 'Not saved yet',
  unsaved: 'Unsaved changes',
  saving: 'Saving…',
  saved: 'Saved',
  conflict: 'Conflict: someone else changed this note',
  failed: 'Not saved',
  signed: 'Signed',
  amending: 'Amending the signed note',
};

export const SOAP_TEMPLATES: readonly { readonly url: string; readonly label: string }[] = [
  { url: 'https://medbuddy.dev/fhir/Questionnaire/soap-template-primary-care', label: 'Primary care' },
  { url: 'https://medbuddy.dev/fhir/Questionnaire/soap-template-mental-health', label: 'Mental health' },
];

/**
 * The consultation workspace: the video call beside it (above on phones), patient summary, SOAP
 * note (auto-saved), prescription, reports for the patient, follow-up, end of visit.
 */
@Component({
  selector: 'cp-consultation-page',
  imports: [
    FormsModule,
    MatAutocompleteModule,
    MatButtonModule,
    MatCardModule,
    MatFormFieldModule,
    MatInputModule,
    MatProgressSpinnerModule,
    ReportUpload,
    VideoPanel,
  ],
  templateUrl: './consultation-page.html',
  styleUrl: './consultation-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ConsultationPage {
  /** The Encounter id, from the route. */
  readonly encounterId = input.required<string>();
  /** Query parameter: `start` opens the call at once (Today's "Start the video call"). */
  readonly call = input<string>();
  protected readonly store = inject(ConsultationStore);
  protected readonly note = inject(NoteStore);
  protected readonly prescription = inject(PrescriptionStore);
  private readonly fhir = inject(FhirClient);
  private readonly video = inject(VideoRoom);
  protected readonly sections = SOAP_SECTIONS;
  protected readonly templates = SOAP_TEMPLATES;
  protected readonly saveLabel = computed(() => SAVE_LABELS[this.note.state()]);
  protected medicationQuery: string | Choice = '';
  protected readonly chosen = signal<Choice | undefined>(undefined);
  protected item = { dosage: '', quantity: 30, unit: 'tablet', refills: 0 };
  protected followUp = { from: '', to: '', reason: '' };
  protected amendmentReason = '';
  protected readonly message = signal<string | undefined>(undefined);
  /** The call panel is open (the call runs in the page). */
  protected readonly callOpen = signal(false);

  constructor() {
    effect(() => {
      const id = this.encounterId();
      untracked(() => void this.load(id));
    });
    effect(() => {
      if (this.call() === 'start') {
        untracked(() => this.callOpen.set(true));
      }
    });
  }

  private async load(id: string): Promise<void> {
    if (!(await this.store.load(id))) {
      return;
    }
    const ids = this.store.ids();
    if (ids) {
      this.note.open(ids, this.store.note());
      this.prescription.open({ patient: ids.patient, encounter: ids.encounter, requester: ids.author }, this.store.prescriptions());
    }
  }

  protected edit(section: SoapSection, value: string): void {
    this.note.edit(section, value);
  }

  protected async saveAmendment(): Promise<void> {
    if (await this.note.saveAmendment(this.amendmentReason)) {
      this.amendmentReason = '';
      this.message.set('The amendment is saved.');
    }
  }

  protected async applyTemplate(url: string): Promise<void> {
    const bundle = await firstValueFrom(this.fhir.search('Questionnaire', { url }));
    const template = matches(bundle)[0] as Questionnaire | undefined;
    if (template) {
      this.note.applyTemplate(templateText(template));
    }
  }

  /** Typing searches; picking an option also writes the chosen Choice to the input's model. */
  protected searchMedications(query: string | Choice): void {
    if (typeof query !== 'string') {
      return;
    }
    this.chosen.set(undefined);
    void this.prescription.searchMedications(query);
  }

  protected chooseMedication(choice: Choice): void {
    this.chosen.set(choice);
    this.medicationQuery = choice.display;
  }

  protected medicationLabel(choice: Choice | string | null): string {
    return typeof choice === 'string' ? choice : (choice?.display ?? '');
  }

  protected addItem(): void {
    const medication = this.chosen();
    if (!medication) {
      this.message.set('Choose a medication from the list.');
      return;
    }
    if (this.prescription.add({ medication, ...this.item, quantity: Number(this.item.quantity), refills: Number(this.item.refills) })) {
      this.message.set(undefined);
      this.chosen.set(undefined);
      this.medicationQuery = '';
      this.item = { dosage: '', quantity: 30, unit: 'tablet', refills: 0 };
    }
  }

  protected async openPdf(item: MedicationRequest): Promise<void> {
    const blob = await this.prescription.pdf(item);
    if (blob) {
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `prescription-${item.groupIdentifier?.value ?? item.id}.pdf`;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
      this.message.set('The signed prescription PDF was downloaded.');
    }
  }

  protected async recommendFollowUp(): Promise<void> {
    if (await this.store.recommendFollowUp(this.followUp)) {
      this.followUp = { from: '', to: '', reason: '' };
      this.message.set('Follow-up recommended. The patient can book it.');
    }
  }

  protected startVideo(): void {
    this.callOpen.set(true);
  }

  /** The fallback: the server's room page in a separate window. */
  protected async openVideoWindow(): Promise<void> {
    try {
      await this.video.open(this.encounterId());
      this.message.set('The video call opened in a separate window.');
    } catch (error) {
      this.message.set(outcomeMessage(error));
    }
  }

  protected async endVisit(): Promise<void> {
    await this.note.saveNow();
    if (await this.store.end()) {
      // $end closes the room for both sides; the panel goes with the call.
      this.callOpen.set(false);
      this.message.set('The visit has ended.');
    }
  }

  protected medicationText(item: MedicationRequest): string {
    const concept = item.medicationCodeableConcept;
    return concept?.text ?? concept?.coding?.[0]?.display ?? '';
  }
}
