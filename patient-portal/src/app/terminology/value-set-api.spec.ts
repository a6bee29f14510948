import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { SPECIALTY_VALUE_SET, ValueSetApi } from './value-set-api';

const BASE = 'http://medbuddy.test/fhir';

describe('ValueSetApi', () => {
  it('expands once with GET, leaving out abstract codes and flattening nested ones', async () => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    const api = TestBed.inject(ValueSetApi);
    const http = TestBed.inject(HttpTestingController);
    const first = api.expand(SPECIALTY_VALUE_SET);
    const second = api.expand(SPECIALTY_VALUE_SET);
    const request = http.expectOne((r) => r.url === `${BASE}/ValueSet/$expand`);
    expect(request.request.method).toBe('GET');
    expect(request.request.params.get('url')).toBe(SPECIALTY_VALUE_SET);
    const system = 'https://medbuddy.dev/fhir/CodeSystem/specialty';
    request.flush({
      resourceType: 'ValueSet',
      expansion: {
        contains: [
          {
            system,
            code: 'primary-care',
            display: 'Primary care',
            abstract: true,
            contains: [{ system, code: 'general-practice', display: 'General practice' }],
          },
          { system, code: 'cardiology', display: 'Cardiology' },
        ],
      },
    });
    expect(await first).toEqual([
      { system, code: 'general-practice', display: 'General practice' },
      { system, code: 'cardiology', display: 'Cardiology' },
    ]);
    expect(await second).toBe(await first);
    http.verify();
  });
});
