import { computed, inject, Injectable, signal } from '@angular/core';
import type { PractitionerRole, QuestionnaireResponse } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';

export const REVIEW_QUESTIONNAIRE = 'https://medbuddy.dev/fhir/Questionnaire/consultation-review';
const EXTENSION = 'https://medbuddy.dev/fhir/StructureDefinition/';

/** One review as the doctor reads it (patients' names are not shown: the review is about the doctor). */
export interface Review {
  readonly id: string;
  readonly authored?: string;
  readonly rating?: number;
  readonly comment: string;
}

export function reviewOf(response: QuestionnaireResponse): Review {
  const item = (linkId: string) => response.item?.find((i) => i.linkId === linkId)?.answer?.[0];
  const code = item('rating')?.valueCoding?.code;
  return {
    id: response.id ?? '',
    authored: response.authored,
    rating: code !== undefined && /^[1-5]$/.test(code) ? Number(code) : undefined,
    comment: item('comment')?.valueString ?? '',
  };
}

/**
 * The doctor's rating and reviews: the `average-rating` and `review-count` the server keeps on
 * their PractitionerRole, and the review QuestionnaireResponses about that role, newest first.
 */
@Injectable()
export class ReviewsStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly role = signal<PractitionerRole | undefined>(undefined);
  private readonly found = signal<readonly Review[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);

  readonly reviews = this.found.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly hasRole = computed(() => !!this.role());
  readonly averageRating = computed(() => this.role()?.extension?.find((e) => e.url === `${EXTENSION}average-rating`)?.valueDecimal);
  readonly reviewCount = computed(() => this.role()?.extension?.find((e) => e.url === `${EXTENSION}review-count`)?.valueUnsignedInt ?? 0);

  async load(): Promise<void> {
    const practitioner = this.auth.fhirUser();
    if (!practitioner?.startsWith('Practitioner/')) {
      this.failure.set('Only doctors have reviews.');
      this.busy.set(false);
      return;
    }
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      const role = matches(await firstValueFrom(this.fhir.search('PractitionerRole', { practitioner, _count: 1 })))[0];
      this.role.set(role);
      if (!role?.id) {
        this.found.set([]);
        return;
      }
      const bundle = await firstValueFrom(
        this.fhir.search('QuestionnaireResponse', {
          questionnaire: REVIEW_QUESTIONNAIRE,
          subject: `PractitionerRole/${role.id}`,
          _sort: '-authored',
          _count: 50,
        }),
      );
      this.found.set(matches(bundle).map(reviewOf));
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
