import { inject, Injectable, signal } from '@angular/core';
import type { Slot } from '@medplum/fhirtypes';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { DoctorDirectory, type DoctorFilters } from '../doctor-directory';
import type { DoctorSummary } from '../doctor-summary';

/** The results of "find a doctor", and each doctor's next free slot as it arrives. */
@Injectable()
export class DoctorSearchStore {
  private readonly directory = inject(DoctorDirectory);
  /** Bumped per search, so that a slow earlier search cannot overwrite a later one. */
  private generation = 0;

  readonly doctors = signal<DoctorSummary[]>([]);
  readonly searching = signal(false);
  readonly searched = signal(false);
  readonly error = signal<string | undefined>(undefined);
  /** By roleId: the next free slot, null when there is none, missing while loading. */
  readonly nextSlots = signal<Readonly<Record<string, Slot | null>>>({});

  async search(filters: DoctorFilters): Promise<void> {
    const generation = ++this.generation;
    this.searching.set(true);
    this.error.set(undefined);
    try {
      const doctors = await this.directory.search(filters);
      if (generation !== this.generation) {
        return;
      }
      this.doctors.set(doctors);
      this.nextSlots.set({});
      void this.loadNextSlots(doctors, generation);
    } catch (error) {
      if (generation === this.generation) {
        this.error.set(outcomeMessage(error));
      }
    } finally {
      if (generation === this.generation) {
        this.searching.set(false);
        this.searched.set(true);
      }
    }
  }

  private async loadNextSlots(doctors: readonly DoctorSummary[], generation: number): Promise<void> {
    const now = new Date();
    await Promise.all(
      doctors.map(async (doctor) => {
        const slot = await this.directory.freeSlots(doctor.practitionerReference, now, undefined, 1).then(
          (slots) => slots[0] ?? null,
          () => null,
        );
        if (generation === this.generation) {
          this.nextSlots.update((known) => ({ ...known, [doctor.roleId]: slot }));
        }
      }),
    );
  }
}
