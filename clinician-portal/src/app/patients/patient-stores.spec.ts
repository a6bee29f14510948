import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { PatientChartStore } from './patient-chart-store';
import { PatientListStore } from './patient-list-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('patient stores', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        PatientListStore,
        PatientChartStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    return {
      list: TestBed.inject(PatientListStore),
      chart: TestBed.inject(PatientChartStore),
      http: TestBed.inject(HttpTestingController),
    };
  }

  it('lists the patients of a plain Patient search (the server narrows it to the care relationship)', async () => {
    const { list, http } = setUp();
    const loading = list.load(' Keller ');
    const request = http.expectOne((r) => r.url === `${BASE}/Patient`);
    expect(request.request.params.get('name')).toBe('Keller');
    request.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: { resourceType: 'Patient', id: 'p1' } }] });
    await loading;
    expect(list.patients().map((p) => p.id)).toEqual(['p1']);
    expect(list.empty()).toBe(false);
  });

  it('reads the chart with $everything, following next links, and the latest vitals with $lastn', async () => {
    const { chart, http } = setUp();
    const loading = chart.load('p1');
    const first = http.expectOne((r) => r.url === `${BASE}/Patient/p1/$everything`);
    expect(first.request.method).toBe('GET');
    expect(first.request.params.get('_type')).toContain('AllergyIntolerance');
    first.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      link: [{ relation: 'next', url: `${BASE}/Patient/p1/$everything?page=2` }],
      entry: [{ resource: { resourceType: 'Patient', id: 'p1' } }],
    });
    await settle();
    http.expectOne(`${BASE}/Patient/p1/$everything?page=2`).flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'Condition', id: 'c1', subject: { reference: 'Patient/p1' } } }],
    });
    await settle();
    const vitals = http.expectOne((r) => r.url === `${BASE}/Observation/$lastn`);
    expect(vitals.request.method).toBe('GET');
    expect(vitals.request.params.get('patient')).toBe('Patient/p1');
    expect(vitals.request.params.get('category')).toBe('vital-signs');
    vitals.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [{ resource: { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'Body weight' } } }],
    });
    await loading;
    expect(chart.chart()?.conditions.map((c) => c.id)).toEqual(['c1']);
    expect(chart.chart()?.vitals.map((o) => o.id)).toEqual(['o1']);
    expect(chart.error()).toBeUndefined();
  });

  it("shows the server's refusal for a patient outside the care relationship", async () => {
    const { chart, http } = setUp();
    const loading = chart.load('stranger');
    http
      .expectOne((r) => r.url === `${BASE}/Patient/stranger/$everything`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Patient/stranger not found' }] },
        { status: 404, statusText: 'Not Found' },
      );
    await loading;
    expect(chart.chart()).toBeUndefined();
    expect(chart.error()).toBe('Patient/stranger not found.');
  });
});
