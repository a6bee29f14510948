import type { Encounter, PractitionerRole, QuestionnaireResponse, Resource } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import type { FhirRepository } from '../../storage/fhir-repository';
import { callerPatient, callerPractitioner } from '../caller';
import { RuleViolation } from '../rule-violation';
import { lockForUpdate, readReference, writeNext } from '../stored-writes';
import type { ClientWrite, RuleEnv } from '../write-rules';

/** profiles/Questionnaire-consultation-review.json and profiles/StructureDefinition-medbuddy-review.json. */
export const REVIEW_QUESTIONNAIRE = 'https://medbuddy.dev/fhir/Questionnaire/consultation-review';
export const REVIEW_PROFILE = 'https://medbuddy.dev/fhir/StructureDefinition/medbuddy-review';
const AVERAGE_RATING_URL = 'https://medbuddy.dev/fhir/StructureDefinition/average-rating';
const REVIEW_COUNT_URL = 'https://medbuddy.dev/fhir/StructureDefinition/review-count';
const RATING_URLS = [AVERAGE_RATING_URL, REVIEW_COUNT_URL];
const PAGE = 500;

export function isReview(resource: QuestionnaireResponse | undefined): boolean {
  return resource?.questionnaire?.split('|')[0] === REVIEW_QUESTIONNAIRE;
}

/**
 * Reviews: a patient reviews the PractitionerRole of a doctor of their own finished Encounter,
 * once per encounter; only the author changes or withdraws it. The role's average rating and
 * review count are recomputed in the same transaction as the write.
 */
export async function checkReviewWrite(write: ClientWrite, env: RuleEnv): Promise<void> {
  const before = write.before as QuestionnaireResponse | undefined;
  const after = write.after as QuestionnaireResponse | undefined;
  if (!isReview(before) && !isReview(after)) {
    return;
  }
  const patient = callerPatient(env.access);
  if (!patient) {
    throw new RuleViolation('forbidden', 'Only the patient of a consultation reviews it');
  }
  for (const version of [before, after]) {
    if (version && version.author?.reference !== patient) {
      throw new RuleViolation('forbidden', 'A review is written and changed only by its author', 'QuestionnaireResponse.author');
    }
  }
  if (
    before &&
    after &&
    (!isReview(after) ||
      after.encounter?.reference !== before.encounter?.reference ||
      after.subject?.reference !== before.subject?.reference)
  ) {
    throw new RuleViolation(
      'business-rule',
      'The consultation and the doctor of a review do not change',
      'QuestionnaireResponse.encounter',
    );
  }
  if (after && !before) {
    await requireReviewable(env, after, patient);
  }
  const role = (after ?? before)?.subject?.reference as string;
  await recomputeRating(env.repo.withAccess(FULL_ACCESS), role, before ? (write.before?.id as string) : undefined, after);
}

async function requireReviewable(env: RuleEnv, review: QuestionnaireResponse, patient: string): Promise<void> {
  const encounter = await readReference<Encounter>(env.repo, review.encounter?.reference, 'Encounter');
  if (!encounter || encounter.subject?.reference !== patient) {
    throw new RuleViolation('business-rule', 'A review is about one of your own consultations', 'QuestionnaireResponse.encounter');
  }
  if (encounter.status !== 'finished') {
    throw new RuleViolation('business-rule', 'A consultation is reviewed once it is finished', 'QuestionnaireResponse.encounter');
  }
  const server = env.repo.withAccess(FULL_ACCESS);
  const role = await readReference<PractitionerRole>(server, review.subject?.reference, 'PractitionerRole');
  const doctors = (encounter.participant ?? []).map((p) => p.individual?.reference);
  if (!role || !doctors.includes(role.practitioner?.reference)) {
    throw new RuleViolation('business-rule', "A review rates the role of the consultation's doctor", 'QuestionnaireResponse.subject');
  }
  await server.lock(`review:${review.encounter?.reference}`);
  const existing = await server.search({
    resourceTypes: ['QuestionnaireResponse'],
    filters: [{ code: 'encounter', type: 'reference', values: [{ value: review.encounter?.reference as string }] }],
    sort: [],
    count: 10,
    total: 'none',
  });
  if (existing.entries.some((e) => isReview(JSON.parse(e.content) as QuestionnaireResponse))) {
    throw new RuleViolation('conflict', 'This consultation has been reviewed already; change that review instead');
  }
}

/** Average and count over every review of the role, with this write applied (the replaced version left out). */
async function recomputeRating(
  server: FhirRepository,
  roleReference: string,
  replacedId: string | undefined,
  written: QuestionnaireResponse | undefined,
): Promise<void> {
  const roleId = roleReference.split('/')[1];
  const { stored, resource: role } = await lockForUpdate<PractitionerRole>(server, 'PractitionerRole', roleId);
  const ratings: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await server.search({
      resourceTypes: ['QuestionnaireResponse'],
      filters: [{ code: 'subject', type: 'reference', values: [{ value: roleReference }] }],
      sort: [],
      count: PAGE,
      total: 'none',
      cursor,
    });
    for (const entry of page.entries) {
      const review = JSON.parse(entry.content) as QuestionnaireResponse;
      if (entry.id !== replacedId && isReview(review)) {
        ratings.push(ratingOf(review));
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  if (written && isReview(written)) {
    ratings.push(ratingOf(written));
  }
  const others = (role.extension ?? []).filter((e) => !RATING_URLS.includes(e.url));
  const aggregate =
    ratings.length === 0
      ? []
      : [
          { url: AVERAGE_RATING_URL, valueDecimal: Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100 },
          { url: REVIEW_COUNT_URL, valueUnsignedInt: ratings.length },
        ];
  await writeNext(server, stored, { ...role, extension: [...others, ...aggregate] });
}

/**
 * A doctor's PractitionerRole write keeps the rating the server keeps from reviews as it is: a
 * doctor cannot give themselves a rating (reviews change it through recomputeRating; an
 * administrator or a backend client importing data may set it, and is audited).
 */
export async function checkRatingUnchanged(write: ClientWrite, env: RuleEnv): Promise<void> {
  if (!callerPractitioner(env.access)) {
    return;
  }
  const rating = (role: Resource | undefined) =>
    JSON.stringify(
      ((role as PractitionerRole | undefined)?.extension ?? [])
        .filter((e) => RATING_URLS.includes(e.url))
        .sort((a, b) => a.url.localeCompare(b.url)),
    );
  if (write.after && rating(write.after) !== rating(write.before)) {
    throw new RuleViolation(
      'business-rule',
      'The average rating and review count are kept by the server from the reviews; leave them as they are',
      'PractitionerRole.extension',
    );
  }
}

function ratingOf(review: QuestionnaireResponse): number {
  const code = review.item?.find((i) => i.linkId === 'rating')?.answer?.[0]?.valueCoding?.code;
  const rating = Number(code);
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) {
    throw new RuleViolation('invalid', 'A rating is 1 to 5', 'QuestionnaireResponse.item');
  }
  return rating;
}
