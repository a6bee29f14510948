import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatRadioGroupHarness } from '@angular/material/radio/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { ReviewPage } from './review-page';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('ReviewPage', () => {
  vi.setConfig({ testTimeout: 30_000 });

  async function render(encounterId?: string) {
    TestBed.configureTestingModule({
      imports: [ReviewPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const fixture = TestBed.createComponent(ReviewPage);
    if (encounterId) {
      fixture.componentRef.setInput('encounterId', encounterId);
    }
    const http = TestBed.inject(HttpTestingController);
    fixture.detectChanges();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    http
      .expectOne((r) => r.url === `${BASE}/Encounter`)
      .flush({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [
          {
            resource: {
              resourceType: 'Encounter',
              id: 'e1',
              status: 'finished',
              class: { code: 'VR' },
              participant: [{ individual: { reference: 'Practitioner/d1', display: 'Dr. Weber' } }],
              period: { start: '2026-11-20T09:00:00Z' },
            },
            search: { mode: 'match' },
          },
        ],
      });
    await settle();
    await fixture.whenStable();
    const loader = TestbedHarnessEnvironment.loader(fixture);
    const text = () => (fixture.nativeElement as HTMLElement).textContent ?? '';
    return { fixture, http, loader, text };
  }

  it('opens the form of the consultation in the route, asks for a rating, and publishes it', async () => {
    const { http, loader, text, fixture } = await render('e1');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Publish review' }))).click();
    expect(text()).toContain('Choose a rating from 1 to 5 stars.');

    const ratings = await loader.getHarness(MatRadioGroupHarness);
    expect((await ratings.getRadioButtons()).length).toBe(5);
    await ratings.checkRadioButton({ label: '5 stars: excellent' });
    await (await loader.getHarness(MatInputHarness.with({ selector: 'textarea' }))).setValue('Very clear');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Publish review' }))).click();

    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole`)
      .flush({
        resourceType: 'Bundle',
        type: 'searchset',
        entry: [{ resource: { resourceType: 'PractitionerRole', id: 'r1' } }],
      });
    await settle();
    const create = http.expectOne(`${BASE}/QuestionnaireResponse`);
    expect(create.request.body.item).toEqual([
      { linkId: 'rating', answer: [{ valueCoding: { system: 'https://medbuddy.dev/fhir/CodeSystem/review-rating', code: '5' } }] },
      { linkId: 'comment', answer: [{ valueString: 'Very clear' }] },
    ]);
    create.flush({ ...create.request.body, id: 'q1' }, { status: 201, statusText: 'Created' });
    await settle();
    await fixture.whenStable();
    expect(text()).toContain('Your rating: 5 stars: excellent');
    expect(text()).toContain('“Very clear”');
  });

  it('without a consultation in the route, offers to write a review', async () => {
    const { loader, text } = await render();
    expect(text()).not.toContain('How would you rate');
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Write a review' }))).click();
    expect(text()).toContain('How would you rate your consultation?');
  });
});
