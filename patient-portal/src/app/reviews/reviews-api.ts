import { inject, Injectable } from '@angular/core';
import type { Encounter, PractitionerRole, QuestionnaireResponse } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { matches, resolveReference, resourcesOfType } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { formatHumanName } from '../shared/human-name.pipe';

/** profiles/Questionnaire-consultation-review.json and the medbuddy-review profile. */
export const REVIEW_QUESTIONNAIRE = 'https://medbuddy.dev/fhir/Questionnaire/consultation-review';
const RATING_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/review-rating';

/** A finished consultation and the patient's review of it, if written. */
export interface ReviewableConsultation {
  readonly encounter: Encounter & { id: string };
  readonly doctorName: string;
  /** `Practitioner/<id>` of the consultation's doctor. */
  readonly doctor?: string;
  readonly review?: QuestionnaireResponse;
}

export interface ReviewInput {
  readonly rating: number;
  readonly comment?: string;
}

/**
 * Reviews (domain/reviews on the server): a QuestionnaireResponse to the consultation-review
 * Questionnaire, written by the patient after a finished Encounter about the doctor's
 * PractitionerRole, once per consultation; the server updates the role's rating.
 */
@Injectable({ providedIn: 'root' })
export class ReviewsApi {
  private readonly fhir = inject(FhirClient);

  async consultations(patient: string): Promise<ReviewableConsultation[]> {
    const bundle = await firstValueFrom(
      this.fhir.search('Encounter', {
        subject: patient,
        status: 'finished',
        _include: 'Encounter:practitioner',
        _revinclude: 'QuestionnaireResponse:encounter',
        _sort: '-date',
        _count: 100,
      }),
    );
    const reviews = resourcesOfType(bundle, 'QuestionnaireResponse').filter((r) => r.questionnaire?.split('|')[0] === REVIEW_QUESTIONNAIRE);
    return (matches(bundle) as (Encounter & { id: string })[]).map((encounter) => {
      const doctor = (encounter.participant ?? [])
        .map((p) => p.individual)
        .find((individual) => individual?.reference?.startsWith('Practitioner/'));
      return {
        encounter,
        doctorName: formatHumanName(resolveReference<'Practitioner'>(bundle, doctor?.reference)?.name) || doctor?.display || 'Your doctor',
        doctor: doctor?.reference,
        review: reviews.find((review) => review.encounter?.reference === `Encounter/${encounter.id}`),
      };
    });
  }

  /** Writes the review of the consultation about the doctor's role (`PractitionerRole?practitioner=`). */
  async submit(consultation: ReviewableConsultation, patient: string, input: ReviewInput): Promise<QuestionnaireResponse> {
    if (!consultation.doctor) {
      throw new Error('This consultation names no doctor to review.');
    }
    const roles = await firstValueFrom(this.fhir.search('PractitionerRole', { practitioner: consultation.doctor, _count: 10 }));
    const role = (matches(roles) as PractitionerRole[]).find((candidate) => candidate.active !== false);
    if (!role) {
      throw new Error('This doctor can no longer be reviewed.');
    }
    const comment = input.comment?.trim();
    return firstValueFrom(
      this.fhir.create<QuestionnaireResponse>({
        resourceType: 'QuestionnaireResponse',
        questionnaire: REVIEW_QUESTIONNAIRE,
        status: 'completed',
        subject: { reference: `PractitionerRole/${role.id}` },
        encounter: { reference: `Encounter/${consultation.encounter.id}` },
        authored: new Date().toISOString(),
        author: { reference: patient },
        item: [
          { linkId: 'rating', answer: [{ valueCoding: { system: RATING_SYSTEM, code: String(input.rating) } }] },
          ...(comment ? [{ linkId: 'comment', answer: [{ valueString: comment }] }] : []),
        ],
      }),
    );
  }
}

/** The rating (1 to 5) a review gives. */
export function ratingOf(review: QuestionnaireResponse | undefined): number | undefined {
  const code = review?.item?.find((item) => item.linkId === 'rating')?.answer?.[0]?.valueCoding?.code;
  return code ? Number(code) : undefined;
}

export function commentOf(review: QuestionnaireResponse | undefined): string {
  return review?.item?.find((item) => item.linkId === 'comment')?.answer?.[0]?.valueString ?? '';
}
