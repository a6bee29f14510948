import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { DocumentReference } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { CredentialsStore } from './credentials-store';

const BASE = 'http://medbuddy.test/fhir';
const CATEGORY = 'https://medbuddy.dev/fhir/CodeSystem/document-category|practitioner-credential';
const settle = () => new Promise((resolve) => setTimeout(resolve));
const LICENCE: DocumentReference & { id: string } = {
  resourceType: 'DocumentReference',
  id: 'doc1',
  status: 'current',
  subject: { reference: 'Practitioner/d1' },
  content: [{ attachment: { url: 'Binary/bin1', title: 'Licence', contentType: 'application/pdf', size: 2048 } }],
};

describe('CredentialsStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        CredentialsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal('Practitioner/d1') } },
      ],
    });
    return { store: TestBed.inject(CredentialsStore), http: TestBed.inject(HttpTestingController) };
  }

  it('lists the doctor’s own credential documents', async () => {
    const { store, http } = setUp();
    const loading = store.load();
    const request = http.expectOne((r) => r.url === `${BASE}/DocumentReference`);
    expect(request.request.params.get('subject')).toBe('Practitioner/d1');
    expect(request.request.params.get('category')).toBe(CATEGORY);
    request.flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: LICENCE }] });
    await loading;
    expect(store.documents().map((d) => d.id)).toEqual(['doc1']);
    expect(store.loading()).toBe(false);
  });

  it('uploads a file as the doctor’s credential, fields before the file, with progress', async () => {
    const { store, http } = setUp();
    const file = new File(['%PDF-1.7'], 'licence.pdf', { type: 'application/pdf' });
    const uploading = store.upload(file, 'Medical licence');
    const request = http.expectOne(`${BASE}/DocumentReference/$upload`);
    const form = request.request.body as FormData;
    expect([...form.keys()]).toEqual(['practitioner', 'title', 'category', 'file']);
    expect(form.get('practitioner')).toBe('Practitioner/d1');
    expect(form.get('title')).toBe('Medical licence');
    request.event({ type: HttpEventType.UploadProgress, loaded: 4, total: 8 });
    expect(store.uploadPercent()).toBe(50);
    request.flush(LICENCE);
    expect(await uploading).toBe(true);
    expect(store.documents().map((d) => d.id)).toEqual(['doc1']);
    expect(store.uploadPercent()).toBeUndefined();
    expect(store.message()).toBe('licence.pdf is uploaded.');
  });

  it('uploads a renewal that replaces an outdated document, which is then shown superseded', async () => {
    const { store, http } = setUp();
    const loading = store.load();
    http
      .expectOne((r) => r.url === `${BASE}/DocumentReference`)
      .flush({ resourceType: 'Bundle', type: 'searchset', entry: [{ resource: LICENCE }] });
    await loading;
    const uploading = store.upload(
      new File(['%PDF-1.7'], 'renewal.pdf', { type: 'application/pdf' }),
      'Licence 2031',
      store.documents()[0],
    );
    const request = http.expectOne(`${BASE}/DocumentReference/$upload`);
    const form = request.request.body as FormData;
    expect([...form.keys()]).toEqual(['practitioner', 'title', 'category', 'replaces', 'file']);
    expect(form.get('replaces')).toBe('DocumentReference/doc1');
    request.flush({ ...LICENCE, id: 'doc2', relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/doc1' } }] });
    expect(await uploading).toBe(true);
    expect(store.documents().map((d) => [d.id, d.status])).toEqual([
      ['doc2', 'current'],
      ['doc1', 'superseded'],
    ]);
    expect(store.message()).toBe('renewal.pdf is uploaded and replaces Licence.');
  });

  it('shows the server’s refusal of an upload', async () => {
    const { store, http } = setUp();
    const uploading = store.upload(new File(['x'], 'big.pdf', { type: 'application/pdf' }), '');
    http.expectOne(`${BASE}/DocumentReference/$upload`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'too-long', diagnostics: 'The document exceeds the limit' }],
      },
      { status: 413, statusText: 'Payload Too Large' },
    );
    expect(await uploading).toBe(false);
    expect(store.error()).toContain('exceeds the limit');
  });

  it('removes a document: the DocumentReference, then its Binary', async () => {
    const { store, http } = setUp();
    store.documents.set([LICENCE]);
    const removing = store.remove(LICENCE);
    http.expectOne((r) => r.method === 'DELETE' && r.url === `${BASE}/DocumentReference/doc1`).flush(null);
    await settle();
    http.expectOne((r) => r.method === 'DELETE' && r.url === `${BASE}/Binary/bin1`).flush(null);
    await removing;
    expect(store.documents()).toEqual([]);
    http.verify();
  });
});
