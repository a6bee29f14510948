import { inject, Injectable } from '@angular/core';
import type { Slot } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches } from '../core/fhir/bundle';
import { FhirClient, type SearchParams } from '../core/fhir/fhir-client';
import { doctorSummary, type DoctorSummary } from './doctor-summary';

/** The filters of "find a doctor"; empty ones are left out of the search. */
export interface DoctorFilters {
  readonly text?: string;
  /** A code of the specialty ValueSet. */
  readonly specialty?: string;
  /** A BCP 47 code. */
  readonly language?: string;
  readonly maxFee?: number;
  readonly minExperience?: number;
  readonly minRating?: number;
  readonly sort?: DoctorSort;
}

export type DoctorSort = '-rating' | 'fee' | '-experience';

/**
 * The public directory through standard searches: `PractitionerRole` with MedBuddy's search
 * parameters (`language`, `fee`, `experience`, `rating`) and `_include` of the Practitioner,
 * and the first free `Slot` of each doctor (chained `schedule.actor`).
 */
@Injectable({ providedIn: 'root' })
export class DoctorDirectory {
  private readonly fhir = inject(FhirClient);

  async search(filters: DoctorFilters): Promise<DoctorSummary[]> {
    const params: SearchParams = {
      active: true,
      specialty: filters.specialty || undefined,
      language: filters.language || undefined,
      fee: filters.maxFee !== undefined ? `le${filters.maxFee}` : undefined,
      experience: filters.minExperience !== undefined ? `ge${filters.minExperience}` : undefined,
      rating: filters.minRating !== undefined ? `ge${filters.minRating}` : undefined,
      'practitioner.name': filters.text?.trim() || undefined,
      _include: 'PractitionerRole:practitioner',
      _sort: filters.sort ?? '-rating',
      _count: 20,
    };
    const bundle = await firstValueFrom(this.fhir.search('PractitionerRole', params));
    return matches(bundle).map((role) => doctorSummary(role, bundle));
  }

  /** One doctor by PractitionerRole id, with the Practitioner (bio, qualifications). */
  async read(roleId: string): Promise<DoctorSummary | undefined> {
    const bundle = await firstValueFrom(this.fhir.search('PractitionerRole', { _id: roleId, _include: 'PractitionerRole:practitioner' }));
    const role = matches(bundle)[0];
    return role ? doctorSummary(role, bundle) : undefined;
  }

  /** Free slots of a practitioner from `from` on, earliest first. */
  async freeSlots(practitionerReference: string, from: Date, until?: Date, count = 100): Promise<Slot[]> {
    const start = [`ge${from.toISOString()}`, ...(until ? [`lt${until.toISOString()}`] : [])];
    const bundle = await firstValueFrom(
      this.fhir.search('Slot', { 'schedule.actor': practitionerReference, status: 'free', start, _sort: 'start', _count: count }),
    );
    return matches(bundle);
  }
}
