import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { REVIEW_QUESTIONNAIRE, ReviewsStore } from './reviews-store';

const BASE = 'http://medbuddy.test/fhir';
const EXT = 'https://medbuddy.dev/fhir/StructureDefinition/';
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('ReviewsStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ReviewsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal('Practitioner/d1') } },
      ],
    });
    return { store: TestBed.inject(ReviewsStore), http: TestBed.inject(HttpTestingController) };
  }

  it("reads the rating from the doctor's role and the reviews about it", async () => {
    const { store, http } = setUp();
    const loading = store.load();
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole` && r.params.get('practitioner') === 'Practitioner/d1')
      .flush({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          {
            resource: {
              resourceType: 'PractitionerRole',
              id: 'r1',
              extension: [
                { url: `${EXT}average-rating`, valueDecimal: 4.5 },
                { url: `${EXT}review-count`, valueUnsignedInt: 2 },
              ],
            },
          },
        ],
      });
    await settle();
    const search = http.expectOne((r) => r.url === `${BASE}/QuestionnaireResponse`);
    expect(search.request.params.get('questionnaire')).toBe(REVIEW_QUESTIONNAIRE);
    expect(search.request.params.get('subject')).toBe('PractitionerRole/r1');
    search.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        {
          resource: {
            resourceType: 'QuestionnaireResponse',
            id: 'q1',
            status: 'completed',
            authored: '2026-11-20',
            item: [
              { linkId: 'rating', answer: [{ valueCoding: { code: '5' } }] },
              { linkId: 'comment', answer: [{ valueString: 'Great' }] },
            ],
          },
        },
      ],
    });
    await loading;
    expect(store.averageRating()).toBe(4.5);
    expect(store.reviewCount()).toBe(2);
    expect(store.reviews()).toEqual([{ id: 'q1', authored: '2026-11-20', rating: 5, comment: 'Great' }]);
  });

  it('has no reviews and no second request without a directory entry', async () => {
    const { store, http } = setUp();
    const loading = store.load();
    http.expectOne((r) => r.url === `${BASE}/PractitionerRole`).flush({ resourceType: 'Bundle', type: 'searchset' });
    await loading;
    expect(store.hasRole()).toBe(false);
    expect(store.reviews()).toEqual([]);
    http.verify();
  });
});
