import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from '../../core/fhir/fhir-client';
import { matches } from '../../core/fhir/bundle';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import type { HealthItemInput, HealthItemKind, HealthResource } from '../health-item-kinds';

/**
 * One list of the patient's own entries (conditions, allergies or medications): search, add,
 * edit (PUT guarded by the version read) and remove (DELETE). Provided per list component.
 */
@Injectable()
export class HealthListStore {
  private readonly fhir = inject(FhirClient);
  private kind!: HealthItemKind;
  private patient = '';

  readonly items = signal<HealthResource[]>([]);
  readonly loading = signal(false);
  readonly busy = signal(false);
  readonly error = signal<string | undefined>(undefined);

  async load(kind: HealthItemKind, patient: string): Promise<void> {
    this.kind = kind;
    this.patient = patient;
    this.loading.set(true);
    this.error.set(undefined);
    try {
      const bundle = await firstValueFrom(
        this.fhir.search(kind.resourceType, { [kind.patientParam]: patient, _sort: '-_lastUpdated', _count: 100 }),
      );
      this.items.set(matches(bundle) as HealthResource[]);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.loading.set(false);
    }
  }

  /** Adds an entry, or replaces `existing` with the edited one. True when saved. */
  save(input: HealthItemInput, existing?: HealthResource): Promise<boolean> {
    return this.run(async () => {
      const resource = this.kind.write(input, this.patient, existing);
      if (existing?.id) {
        const saved = await firstValueFrom(this.fhir.update({ ...resource, id: existing.id }));
        this.items.update((items) => items.map((item) => (item.id === existing.id ? saved : item)));
      } else {
        const created = await firstValueFrom(this.fhir.create(resource));
        this.items.update((items) => [created, ...items]);
      }
    });
  }

  remove(item: HealthResource): Promise<boolean> {
    return this.run(async () => {
      await firstValueFrom(this.fhir.delete(item.resourceType, item.id as string, { ifMatch: item.meta?.versionId }));
      this.items.update((items) => items.filter((other) => other.id !== item.id));
    });
  }

  private async run(work: () => Promise<void>): Promise<boolean> {
    this.busy.set(true);
    this.error.set(undefined);
    try {
      await work();
      return true;
    } catch (error) {
      this.error.set(outcomeMessage(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}
