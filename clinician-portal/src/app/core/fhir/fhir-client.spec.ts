import { HttpErrorResponse, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { FhirClient } from './fhir-client';
import { FHIR_ENDPOINT } from './fhir-endpoint';

const BASE = 'http://medbuddy.test/fhir';

describe('FhirClient', () => {
  let fhir: FhirClient;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    fhir = TestBed.inject(FhirClient);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it('reads a resource by type and id (http.html#read), asking for FHIR JSON', async () => {
    const result = firstValueFrom(fhir.read('Patient', 'p1'));
    const request = http.expectOne(`${BASE}/Patient/p1`);
    expect(request.request.method).toBe('GET');
    expect(request.request.headers.get('Accept')).toBe('application/fhir+json');
    request.flush({ resourceType: 'Patient', id: 'p1' });
    expect((await result).id).toBe('p1');
  });

  it('escapes ids so a hostile id cannot change the path', async () => {
    const result = firstValueFrom(fhir.read('Patient', '../Practitioner/1'));
    http.expectOne(`${BASE}/Patient/..%2FPractitioner%2F1`).flush({ resourceType: 'Patient', id: 'x' });
    await result;
  });

  it('searches with repeated parameters and returns the searchset Bundle (search.html)', async () => {
    const result = firstValueFrom(fhir.search('Appointment', { date: ['ge2026-01-01', 'lt2027-01-01'], _count: 10, status: undefined }));
    const request = http.expectOne((r) => r.url === `${BASE}/Appointment`);
    expect(request.request.method).toBe('GET');
    expect(request.request.params.getAll('date')).toEqual(['ge2026-01-01', 'lt2027-01-01']);
    expect(request.request.params.get('_count')).toBe('10');
    expect(request.request.params.has('status')).toBe(false);
    const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: 0, entry: [] };
    request.flush(bundle);
    expect((await result).type).toBe('searchset');
  });

  it('creates with POST to the type and FHIR JSON content type (http.html#create)', async () => {
    const patient: Patient = { resourceType: 'Patient', name: [{ family: 'Doe' }] };
    const result = firstValueFrom(fhir.create(patient));
    const request = http.expectOne(`${BASE}/Patient`);
    expect(request.request.method).toBe('POST');
    expect(request.request.headers.get('Content-Type')).toBe('application/fhir+json');
    expect(request.request.headers.get('Prefer')).toBe('return=representation');
    expect(request.request.body).toEqual(patient);
    request.flush({ ...patient, id: 'new', meta: { versionId: '1' } }, { status: 201, statusText: 'Created' });
    expect((await result).id).toBe('new');
  });

  it('updates with PUT guarded by If-Match on meta.versionId (http.html#concurrency)', async () => {
    const result = firstValueFrom(fhir.update({ resourceType: 'Patient', id: 'p1', meta: { versionId: '3' } }));
    const request = http.expectOne(`${BASE}/Patient/p1`);
    expect(request.request.method).toBe('PUT');
    expect(request.request.headers.get('If-Match')).toBe('W/"3"');
    request.flush({ resourceType: 'Patient', id: 'p1', meta: { versionId: '4' } });
    expect((await result).meta?.versionId).toBe('4');
  });

  it('surfaces a 412 version conflict as an HttpErrorResponse carrying the OperationOutcome', async () => {
    const result = firstValueFrom(fhir.update({ resourceType: 'Patient', id: 'p1' }, { ifMatch: 'W/"1"' }));
    const request = http.expectOne(`${BASE}/Patient/p1`);
    expect(request.request.headers.get('If-Match')).toBe('W/"1"');
    const outcome = {
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'conflict', diagnostics: 'Version 1 is not current' }],
    };
    request.flush(outcome, { status: 412, statusText: 'Precondition Failed' });
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpErrorResponse);
    expect((error as HttpErrorResponse).error).toEqual(outcome);
  });

  it('patches with a JSON Patch document (http.html#patch)', async () => {
    const result = firstValueFrom(fhir.patch('Patient', 'p1', [{ op: 'replace', path: '/active', value: false }], { ifMatch: '2' }));
    const request = http.expectOne(`${BASE}/Patient/p1`);
    expect(request.request.method).toBe('PATCH');
    expect(request.request.headers.get('Content-Type')).toBe('application/json-patch+json');
    expect(request.request.headers.get('If-Match')).toBe('W/"2"');
    expect(request.request.body).toEqual([{ op: 'replace', path: '/active', value: false }]);
    request.flush({ resourceType: 'Patient', id: 'p1', active: false });
    expect((await result).active).toBe(false);
  });

  it('deletes by type and id (http.html#delete)', async () => {
    const result = firstValueFrom(fhir.delete('AllergyIntolerance', 'a1'));
    const request = http.expectOne(`${BASE}/AllergyIntolerance/a1`);
    expect(request.request.method).toBe('DELETE');
    request.flush(null, { status: 204, statusText: 'No Content' });
    await result;
  });

  it('calls an operation with GET and query parameters (operations.html)', async () => {
    const result = firstValueFrom(
      fhir.operation('ValueSet/$expand', { method: 'GET', params: { url: 'https://medbuddy.dev/fhir/ValueSet/specialty' } }),
    );
    const request = http.expectOne((r) => r.url === `${BASE}/ValueSet/$expand`);
    expect(request.request.method).toBe('GET');
    expect(request.request.params.get('url')).toBe('https://medbuddy.dev/fhir/ValueSet/specialty');
    request.flush({ resourceType: 'ValueSet', status: 'active' });
    await result;
  });

  it('calls an operation with POST and a Parameters body by default', async () => {
    const body = { resourceType: 'Parameters' as const, parameter: [{ name: 'reason', valueString: 'ill' }] };
    const result = firstValueFrom(fhir.operation('Appointment/a1/$cancel', { body }));
    const request = http.expectOne(`${BASE}/Appointment/a1/$cancel`);
    expect(request.request.method).toBe('POST');
    expect(request.request.body).toEqual(body);
    request.flush({ resourceType: 'Appointment', id: 'a1', status: 'cancelled' });
    await result;
  });

  it('sends the version an operation acts on as If-Match', async () => {
    const result = firstValueFrom(fhir.operation('Composition/c1/$sign', { ifMatch: '3' }));
    const request = http.expectOne(`${BASE}/Composition/c1/$sign`);
    expect(request.request.headers.get('If-Match')).toBe('W/"3"');
    request.flush({ resourceType: 'Composition', id: 'c1' });
    await result;
  });

  it('follows a paging link as the server wrote it (bundle.html#paging)', async () => {
    const next = `${BASE}/Patient?_count=10&_offset=10`;
    const result = firstValueFrom(fhir.page(next));
    http.expectOne(next).flush({ resourceType: 'Bundle', type: 'searchset' });
    await result;
  });
});
