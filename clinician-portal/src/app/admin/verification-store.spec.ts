import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { DocumentReference, Practitioner } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { VerificationStore } from './verification-store';

const BASE = 'http://medbuddy.test/fhir';
const HOUSE: Practitioner = { resourceType: 'Practitioner', id: 'd1', active: false, name: [{ given: ['Gregory'], family: 'House' }] };
const CREDENTIAL = [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/document-category', code: 'practitioner-credential' }] }];
const LICENCE: DocumentReference = {
  resourceType: 'DocumentReference',
  id: 'doc1',
  status: 'current',
  subject: { reference: 'Practitioner/d1' },
  category: CREDENTIAL,
  content: [{ attachment: { url: 'Binary/b1', title: 'Licence', contentType: 'application/pdf' } }],
};
const REMOVED: DocumentReference = { ...LICENCE, id: 'doc2', status: 'entered-in-error' };
const NOT_CREDENTIAL: DocumentReference = { ...LICENCE, id: 'doc3', category: [{ text: 'Letter' }] };

describe('VerificationStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        VerificationStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    return { store: TestBed.inject(VerificationStore), http: TestBed.inject(HttpTestingController) };
  }

  async function loaded(store: VerificationStore, http: HttpTestingController): Promise<void> {
    const loading = store.load();
    const request = http.expectOne((r) => r.url === `${BASE}/Practitioner` && r.params.get('active') === 'false');
    expect(request.request.params.get('_revinclude')).toBe('DocumentReference:subject');
    request.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: HOUSE, search: { mode: 'match' } },
        ...[LICENCE, REMOVED, NOT_CREDENTIAL].map((resource) => ({ resource, search: { mode: 'include' as const } })),
      ],
    });
    await loading;
  }

  it('lists the inactive doctors with their current credential documents', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    expect(store.pending().map((doctor) => doctor.id)).toEqual(['d1']);
    expect(store.empty()).toBe(false);
    expect(
      store
        .documents()
        .get('Practitioner/d1')
        ?.map((d) => d.id),
    ).toEqual(['doc1']);
    http.verify();
  });

  it('opens a document through a signed URL', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    const clicked: string[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push(`${this.href} ${this.download}`);
    });
    const opening = store.open(LICENCE as DocumentReference & { id: string });
    expect(store.busyId()).toBe('doc1');
    http
      .expectOne(`${BASE}/DocumentReference/doc1/$download-url`)
      .flush({ resourceType: 'Parameters', parameter: [{ name: 'url', valueUrl: 'http://medbuddy.test/documents/token' }] });
    await opening;
    click.mockRestore();
    expect(clicked).toEqual(['http://medbuddy.test/documents/token Licence.pdf']);
    expect(store.busyId()).toBeUndefined();
  });

  it('verifies a doctor with $verify and removes them from the queue', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    const decided = store.decide(HOUSE, 'validated', 'Licence checked');
    const request = http.expectOne(`${BASE}/Practitioner/d1/$verify`);
    expect(request.request.method).toBe('POST');
    expect(request.request.body.parameter).toEqual([
      { name: 'status', valueCode: 'validated' },
      { name: 'reason', valueString: 'Licence checked' },
    ]);
    request.flush({ resourceType: 'Parameters' });
    expect(await decided).toBe(true);
    expect(store.pending()).toEqual([]);
    expect(store.message()).toBe('Doctor verified.');
  });

  it('refuses a decision without a reason, without a request', async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    expect(await store.decide(HOUSE, 'rejected', '  ')).toBe(false);
    expect(store.error()).toContain('reason');
    http.verify();
  });

  it("keeps the doctor and shows the server's message when $verify fails", async () => {
    const { store, http } = setUp();
    await loaded(store, http);
    const decided = store.decide(HOUSE, 'rejected', 'No licence');
    http.expectOne(`${BASE}/Practitioner/d1/$verify`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'forbidden', diagnostics: 'Only administrators verify doctors' }],
      },
      { status: 403, statusText: 'Forbidden' },
    );
    expect(await decided).toBe(false);
    expect(store.pending().length).toBe(1);
    expect(store.error()).toBe('Only administrators verify doctors.');
  });
});
