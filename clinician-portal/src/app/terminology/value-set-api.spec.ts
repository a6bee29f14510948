import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { SPECIALTY_VALUE_SET, ValueSetApi } from './value-set-api';

const BASE = 'http://medbuddy.test/fhir';
const SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/specialty';

describe('ValueSetApi', () => {
  it('expands a whole value set once, leaving out abstract codes and flattening nested ones', async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    const api = TestBed.inject(ValueSetApi);
    const http = TestBed.inject(HttpTestingController);
    const first = api.expand(SPECIALTY_VALUE_SET);
    const second = api.expand(SPECIALTY_VALUE_SET);
    const request = http.expectOne((r) => r.url === `${BASE}/ValueSet/$expand`);
    expect(request.request.method).toBe('GET');
    expect(request.request.params.get('filter')).toBeNull();
    request.flush({
      resourceType: 'ValueSet',
      expansion: {
        contains: [
          {
            system: SYSTEM,
            code: 'primary-care',
            display: 'Primary care',
            abstract: true,
            contains: [{ system: SYSTEM, code: 'general-practice', display: 'General practice' }],
          },
          { system: SYSTEM, code: 'cardiology', display: 'Cardiology' },
        ],
      },
    });
    expect(await first).toEqual([
      { system: SYSTEM, code: 'general-practice', display: 'General practice' },
      { system: SYSTEM, code: 'cardiology', display: 'Cardiology' },
    ]);
    expect(await second).toBe(await first);
    http.verify();
  });
});
