import { computed, inject, Injectable, signal } from '@angular/core';
import type { Binary, MedicationRequest } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { MEDICATION_VALUE_SET, ValueSetApi, type Choice } from '../terminology/value-set-api';

export const PRESCRIPTION_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-prescription';
export const PRESCRIPTION_GROUP_SYSTEM = 'https://medbuddy.dev/fhir/identifier/prescription';

/** One line of the prescription being written. */
export interface PrescriptionItem {
  readonly medication: Choice;
  readonly dosage: string;
  readonly quantity: number;
  readonly unit: string;
  readonly refills: number;
}

export interface PrescriptionContext {
  readonly patient: string;
  readonly encounter: string;
  readonly requester: string;
}

/**
 * The prescription builder: medications searched through `ValueSet/$expand` (the prescribable
 * value set the server validates against), items with dosage, quantity and refills; issuing
 * writes one MedicationRequest per item sharing a `groupIdentifier`; `$pdf` gives the signed PDF.
 */
@Injectable()
export class PrescriptionStore {
  private readonly fhir = inject(FhirClient);
  private readonly valueSets = inject(ValueSetApi);
  private context: PrescriptionContext | undefined;
  private readonly draftItems = signal<readonly PrescriptionItem[]>([]);
  private readonly issuedItems = signal<readonly MedicationRequest[]>([]);
  private readonly found = signal<readonly Choice[]>([]);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly busy = signal(false);

  readonly items = this.draftItems.asReadonly();
  readonly issued = this.issuedItems.asReadonly();
  readonly medications = this.found.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly working = this.busy.asReadonly();
  readonly canIssue = computed(() => this.draftItems().length > 0 && !this.busy());

  open(context: PrescriptionContext, issued: readonly MedicationRequest[]): void {
    this.context = context;
    this.issuedItems.set(issued);
  }

  async searchMedications(filter: string): Promise<void> {
    if (filter.trim().length < 2) {
      this.found.set([]);
      return;
    }
    try {
      this.found.set(await this.valueSets.search(MEDICATION_VALUE_SET, filter, 20));
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    }
  }

  add(item: PrescriptionItem): boolean {
    if (!item.dosage.trim() || !(item.quantity > 0) || !Number.isInteger(item.refills) || item.refills < 0 || item.refills > 12) {
      this.failure.set('Give a dosage, a quantity above 0 and 0 to 12 refills.');
      return false;
    }
    this.failure.set(undefined);
    this.draftItems.update((items) => [...items, { ...item, dosage: item.dosage.trim() }]);
    return true;
  }

  remove(index: number): void {
    this.draftItems.update((items) => items.filter((_, i) => i !== index));
  }

  /** Writes the items as one prescription (a shared groupIdentifier) and returns them as stored. */
  async issue(now = new Date()): Promise<boolean> {
    const context = this.context;
    if (!context || this.draftItems().length === 0) {
      return false;
    }
    const group = `RX-${now.getTime().toString(36).toUpperCase()}-${Math.random().toString(36).slice(2, 6).toUpperCase()}`;
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const created: MedicationRequest[] = [];
      for (const item of this.draftItems()) {
        created.push(await firstValueFrom(this.fhir.create(medicationRequest(item, context, group, now))));
      }
      this.issuedItems.update((issued) => [...issued, ...created]);
      this.draftItems.set([]);
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }

  /** The signed PDF of the prescription an issued item belongs to, as a Blob (`MedicationRequest/[id]/$pdf`). */
  async pdf(item: MedicationRequest): Promise<Blob | undefined> {
    try {
      const binary = await firstValueFrom(this.fhir.operation<Binary>(`MedicationRequest/${item.id}/$pdf`, { method: 'GET' }));
      const bytes = Uint8Array.from(atob(binary.data ?? ''), (c) => c.charCodeAt(0));
      return new Blob([bytes], { type: binary.contentType || 'application/pdf' });
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return undefined;
    }
  }
}

export function medicationRequest(item: PrescriptionItem, context: PrescriptionContext, group: string, now: Date): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    meta: { profile: [PRESCRIPTION_PROFILE] },
    status: 'active',
    intent: 'order',
    groupIdentifier: { system: PRESCRIPTION_GROUP_SYSTEM, value: group },
    medicationCodeableConcept: {
      coding: [{ system: item.medication.system, code: item.medication.code, display: item.medication.display }],
      text: item.medication.display,
    },
    subject: { reference: context.patient },
    encounter: { reference: context.encounter },
    authoredOn: now.toISOString(),
    requester: { reference: context.requester },
    dosageInstruction: [{ text: item.dosage }],
    dispenseRequest: {
      numberOfRepeatsAllowed: item.refills,
      quantity: { value: item.quantity, unit: item.unit || undefined },
    },
  };
}
