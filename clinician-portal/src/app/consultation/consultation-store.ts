import { computed, inject, Injectable, signal } from '@angular/core';
import type {
  AllergyIntolerance,
  CodeableConcept,
  Composition,
  Condition,
  DocumentReference,
  Encounter,
  MedicationRequest,
  MedicationStatement,
  Patient,
  ServiceRequest,
} from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { formatHumanName } from '../shared/human-name.pipe';

export const FOLLOW_UP_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-follow-up';

/** What the doctor knows of the patient at a glance: one line per entry. */
export interface PatientSummary {
  readonly conditions: readonly string[];
  readonly allergies: readonly string[];
  readonly medications: readonly string[];
  readonly reports: readonly string[];
}

/** A follow-up consultation the doctor recommends: between two dates, for a reason. */
export interface FollowUp {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

const EMPTY_SUMMARY: PatientSummary = { conditions: [], allergies: [], medications: [], reports: [] };

/**
 * One consultation (an Encounter) for its doctor: the encounter and patient, the patient's
 * summary, what the consultation produced so far (note, prescriptions, follow-up), and ending it.
 */
@Injectable()
export class ConsultationStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly current = signal<Encounter | undefined>(undefined);
  private readonly person = signal<Patient | undefined>(undefined);
  private readonly overview = signal<PatientSummary>(EMPTY_SUMMARY);
  private readonly followUps = signal<readonly ServiceRequest[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);

  readonly encounter = this.current.asReadonly();
  readonly patient = this.person.asReadonly();
  readonly patientName = computed(() => formatHumanName(this.person()?.name) || 'Patient');
  readonly summary = this.overview.asReadonly();
  readonly followUpsRecorded = this.followUps.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly finished = computed(() => this.current()?.status === 'finished');
  /** The stored note and prescriptions of this encounter, for the note and prescription stores. */
  readonly note = signal<Composition | undefined>(undefined);
  readonly prescriptions = signal<readonly MedicationRequest[]>([]);

  /** The references the consultation's writes need. */
  readonly ids = computed(() => {
    const encounter = this.current();
    const patient = encounter?.subject?.reference;
    const author = this.auth.fhirUser();
    return encounter?.id && patient && author ? { patient, encounter: `Encounter/${encounter.id}`, author } : undefined;
  });

  async load(encounterId: string): Promise<boolean> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const encounter = await firstValueFrom(this.fhir.read('Encounter', encounterId));
      this.current.set(encounter);
      const patient = encounter.subject?.reference ?? '';
      const encounterRef = `Encounter/${encounterId}`;
      const [person, conditions, allergies, medications, reports, notes, prescriptions, followUps] = await Promise.all([
        firstValueFrom(this.fhir.read('Patient', patient.replace(/^Patient\//, ''))),
        this.all<Condition>('Condition', { patient }),
        this.all<AllergyIntolerance>('AllergyIntolerance', { patient }),
        this.all<MedicationStatement>('MedicationStatement', { patient }),
        this.all<DocumentReference>('DocumentReference', { patient }),
        this.all<Composition>('Composition', { encounter: encounterRef }),
        this.all<MedicationRequest>('MedicationRequest', { encounter: encounterRef }),
        this.all<ServiceRequest>('ServiceRequest', { encounter: encounterRef }),
      ]);
      this.person.set(person);
      this.overview.set({
        conditions: conditions.map((c) => conceptText(c.code)),
        allergies: allergies.map((a) => conceptText(a.code)),
        medications: medications.map((m) => conceptText(m.medicationCodeableConcept)),
        reports: reports.map((d) => d.description ?? d.content[0]?.attachment.title ?? conceptText(d.type)),
      });
      this.note.set(notes[0]);
      this.prescriptions.set(prescriptions);
      this.followUps.set(followUps);
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }

  /** Records the follow-up recommendation (a proposed ServiceRequest the patient books against). */
  async recommendFollowUp(followUp: FollowUp): Promise<boolean> {
    const ids = this.ids();
    if (!ids || !followUp.from || !followUp.to || followUp.to < followUp.from) {
      this.failure.set('Give the first and last day of the follow-up window, in order.');
      return false;
    }
    try {
      const request: ServiceRequest = {
        resourceType: 'ServiceRequest',
        meta: { profile: [FOLLOW_UP_PROFILE] },
        status: 'active',
        intent: 'proposal',
        code: { coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/consultation-type', code: 'follow-up', display: 'Follow-up' }] },
        subject: { reference: ids.patient },
        encounter: { reference: ids.encounter },
        requester: { reference: ids.author },
        occurrencePeriod: { start: followUp.from, end: followUp.to },
        ...(followUp.reason.trim() ? { reasonCode: [{ text: followUp.reason.trim() }] } : {}),
      };
      const created = await firstValueFrom(this.fhir.create(request));
      this.followUps.update((list) => [...list, created]);
      this.failure.set(undefined);
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }

  /** `Encounter/[id]/$end`: finished, the appointment fulfilled, the video room closed. */
  async end(): Promise<boolean> {
    const encounter = this.current();
    if (!encounter?.id) {
      return false;
    }
    try {
      await firstValueFrom(this.fhir.operation(`Encounter/${encounter.id}/$end`));
      this.current.set(await firstValueFrom(this.fhir.read('Encounter', encounter.id)));
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }

  private async all<T>(
    resourceType:
      | 'Condition'
      | 'AllergyIntolerance'
      | 'MedicationStatement'
      | 'DocumentReference'
      | 'Composition'
      | 'MedicationRequest'
      | 'ServiceRequest',
    params: Record<string, string>,
  ): Promise<T[]> {
    return matches(await firstValueFrom(this.fhir.search(resourceType, { ...params, _count: 50 }))) as T[];
  }
}

function conceptText(concept: CodeableConcept | undefined): string {
  return concept?.text ?? concept?.coding?.find((c) => c.display)?.display ?? concept?.coding?.[0]?.code ?? 'Unnamed';
}
