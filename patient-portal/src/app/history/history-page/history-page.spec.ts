import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatChipListboxHarness } from '@angular/material/chips/testing';
import { provideRouter } from '@angular/router';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { provideIcons } from '../../core/shell/icons';
import { HistoryPage } from './history-page';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('HistoryPage', () => {
  vi.setConfig({ testTimeout: 30_000 });

  async function render() {
    TestBed.configureTestingModule({
      imports: [HistoryPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        provideIcons(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const fixture = TestBed.createComponent(HistoryPage);
    const http = TestBed.inject(HttpTestingController);
    fixture.detectChanges();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    http
      .expectOne((r) => r.url === `${BASE}/Patient/p1/$everything`)
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
              period: { start: '2026-11-20T09:00:00Z', end: '2026-11-20T09:20:00Z' },
            },
          },
          {
            resource: {
              resourceType: 'MedicationRequest',
              id: 'rx',
              status: 'active',
              intent: 'order',
              subject: { reference: 'Patient/p1' },
              medicationCodeableConcept: { text: 'Amlodipine 5 mg' },
              authoredOn: '2026-11-20T09:15:00Z',
            },
          },
        ],
      });
    await settle();
    await fixture.whenStable();
    const loader = TestbedHarnessEnvironment.loader(fixture);
    const entries = () => [...(fixture.nativeElement as HTMLElement).querySelectorAll('ol.timeline h3')].map((h) => h.textContent?.trim());
    return { fixture, loader, entries };
  }

  it('shows every kind, then only the kinds left selected in the filter', async () => {
    const { loader, entries, fixture } = await render();
    expect(entries()).toEqual(['Amlodipine 5 mg', 'Video consultation']);
    expect((fixture.nativeElement as HTMLElement).querySelector('a[href="/reviews/e1"]')?.textContent).toContain(
      'Review this consultation',
    );
    const filter = await loader.getHarness(MatChipListboxHarness);
    const [consultations] = await filter.getChips({ text: /^Consultations/ });
    expect(await consultations.isSelected()).toBe(true);
    await consultations.deselect();
    expect(entries()).toEqual(['Amlodipine 5 mg']);
    await (await filter.getChips({ text: /^Prescriptions/ }))[0].deselect();
    expect(entries()).toEqual([]);
  });
});
