import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { Encounter, QuestionnaireResponse } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { ratingOf, REVIEW_QUESTIONNAIRE } from './reviews-api';
import { ReviewsStore } from './reviews-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function encounter(id: string): Encounter {
  return {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { code: 'VR' },
    subject: { reference: 'Patient/p1' },
    participant: [{ individual: { reference: 'Practitioner/d1' } }],
    period: { start: '2026-11-20T09:00:00Z', end: '2026-11-20T09:20:00Z' },
  };
}

const existing: QuestionnaireResponse = {
  resourceType: 'QuestionnaireResponse',
  id: 'q1',
  questionnaire: REVIEW_QUESTIONNAIRE,
  status: 'completed',
  encounter: { reference: 'Encounter/e2' },
  item: [{ linkId: 'rating', answer: [{ valueCoding: { code: '5' } }] }],
};

describe('ReviewsStore', () => {
  async function loaded() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ReviewsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(ReviewsStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    const search = http.expectOne((r) => r.url === `${BASE}/Encounter`);
    expect(search.request.params.get('subject')).toBe('Patient/p1');
    expect(search.request.params.get('status')).toBe('finished');
    expect(search.request.params.get('_revinclude')).toBe('QuestionnaireResponse:encounter');
    search.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: encounter('e1'), search: { mode: 'match' } },
        { resource: encounter('e2'), search: { mode: 'match' } },
        { resource: { resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], family: 'Weber' }] }, search: { mode: 'include' } },
        { resource: existing, search: { mode: 'include' } },
      ],
    });
    await done;
    return { store, http };
  }

  it('lists finished consultations with the review already written', async () => {
    const { store } = await loaded();
    expect(store.consultations().map((c) => [c.encounter.id, c.doctorName, ratingOf(c.review)])).toEqual([
      ['e1', 'Dr. Weber', undefined],
      ['e2', 'Dr. Weber', 5],
    ]);
  });

  it("writes the review about the doctor's role for the consultation", async () => {
    const { store, http } = await loaded();
    const submitting = store.submit(store.consultations()[0], { rating: 4, comment: '  Clear  ' });
    const roles = http.expectOne((r) => r.url === `${BASE}/PractitionerRole`);
    expect(roles.request.params.get('practitioner')).toBe('Practitioner/d1');
    roles.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'PractitionerRole', id: 'r1', active: true } }],
    });
    await settle();
    const create = http.expectOne(`${BASE}/QuestionnaireResponse`);
    expect(create.request.method).toBe('POST');
    expect(create.request.body).toMatchObject({
      questionnaire: REVIEW_QUESTIONNAIRE,
      status: 'completed',
      subject: { reference: 'PractitionerRole/r1' },
      encounter: { reference: 'Encounter/e1' },
      author: { reference: 'Patient/p1' },
      item: [
        { linkId: 'rating', answer: [{ valueCoding: { system: 'https://medbuddy.dev/fhir/CodeSystem/review-rating', code: '4' } }] },
        { linkId: 'comment', answer: [{ valueString: 'Clear' }] },
      ],
    });
    create.flush({ ...create.request.body, id: 'q2' }, { status: 201, statusText: 'Created' });
    expect(await submitting).toBe(true);
    expect(ratingOf(store.consultations()[0].review)).toBe(4);
    expect(store.message()).toMatch(/Thank you/);
    http.verify();
  });

  it('explains a second review of the same consultation (409)', async () => {
    const { store, http } = await loaded();
    const submitting = store.submit(store.consultations()[0], { rating: 2 });
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole`)
      .flush({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: { resourceType: 'PractitionerRole', id: 'r1' } }],
      });
    await settle();
    http.expectOne(`${BASE}/QuestionnaireResponse`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [
          { severity: 'error', code: 'conflict', diagnostics: 'This consultation has been reviewed already; change that review instead' },
        ],
      },
      { status: 409, statusText: 'Conflict' },
    );
    expect(await submitting).toBe(false);
    expect(store.error()).toMatch(/reviewed already/);
    expect(store.consultations()[0].review).toBeUndefined();
  });
});
