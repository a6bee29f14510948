import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import type { DocumentReference, Resource } from '@medplum/fhirtypes';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { ReportsStore } from './reports-store';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function report(id: string, title: string, contentType = 'application/pdf'): DocumentReference {
  return {
    resourceType: 'DocumentReference',
    id,
    status: 'current',
    subject: { reference: 'Patient/p1' },
    date: '2026-11-20T00:00:00Z',
    category: [{ text: 'Laboratory' }],
    content: [{ attachment: { contentType, url: `Binary/${id}`, title, size: 2048 } }],
  };
}

describe('ReportsStore', () => {
  async function loaded(reports: DocumentReference[], included: Resource[] = []) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        ReportsStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const store = TestBed.inject(ReportsStore);
    const http = TestBed.inject(HttpTestingController);
    const done = store.load();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    const search = http.expectOne((r) => r.url === `${BASE}/DocumentReference`);
    expect(search.request.params.get('subject')).toBe('Patient/p1');
    expect(search.request.params.get('status')).toBe('current');
    expect(search.request.params.get('_sort')).toBe('-date');
    expect(search.request.params.get('_include')).toBe('DocumentReference:author');
    search.flush({
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        ...reports.map((resource) => ({ resource, search: { mode: 'match' as const } })),
        ...included.map((resource) => ({ resource, search: { mode: 'include' as const } })),
      ],
    });
    await done;
    return { store, http };
  }

  it('says who added each report: the patient, a doctor by name, else the display written on it', async () => {
    const { store } = await loaded(
      [
        { ...report('mine', 'My scan'), author: [{ reference: 'Patient/p1' }] },
        { ...report('doctors', 'Blood panel'), author: [{ reference: 'Practitioner/d1' }] },
        { ...report('faxed', 'Letter'), author: [{ reference: 'Organization/lab', display: 'City Lab' }] },
        report('unknown', 'Old scan'),
      ],
      [{ resourceType: 'Practitioner', id: 'd1', name: [{ prefix: ['Dr.'], given: ['Lukas'], family: 'Weber' }] }],
    );
    expect(store.reports().map((r) => r.id)).toEqual(['mine', 'doctors', 'faxed', 'unknown']);
    expect(store.addedBy()).toEqual({ mine: 'you', doctors: 'Dr. Lukas Weber', faxed: 'City Lab' });
  });

  it('uploads the fields then the file in one multipart $upload, showing the progress, and lists the new report first', async () => {
    const { store, http } = await loaded([report('old', 'Old scan')]);
    const file = new File(['%PDF-1.4 blood panel'], 'blood.pdf', { type: 'application/pdf' });
    const uploading = store.upload(file, { title: 'Blood panel', category: 'Laboratory', date: '2026-11-20' });
    await settle();
    const upload = http.expectOne(`${BASE}/DocumentReference/$upload`);
    expect(upload.request.method).toBe('POST');
    expect(upload.request.reportProgress).toBe(true);
    const form = upload.request.body as FormData;
    expect([...form.keys()]).toEqual(['title', 'category', 'date', 'patient', 'file']);
    expect(form.get('patient')).toBe('Patient/p1');
    expect((form.get('file') as File).name).toBe('blood.pdf');

    expect(store.uploadPercent()).toBe(0);
    upload.event({ type: HttpEventType.UploadProgress, loaded: 5, total: 20 });
    expect(store.uploadPercent()).toBe(25);
    upload.event({ type: HttpEventType.UploadProgress, loaded: 20, total: 20 });
    expect(store.uploadPercent()).toBe(100);
    upload.flush(report('new', 'Blood panel'), { status: 201, statusText: 'Created' });
    expect(await uploading).toBe(true);
    expect(store.uploadPercent()).toBeUndefined();
    expect(store.reports().map((r) => r.id)).toEqual(['new', 'old']);
    expect(store.message()).toBe('blood.pdf is uploaded.');
    http.verify();
  });

  it('explains a refused upload (415) and lists nothing new', async () => {
    const { store, http } = await loaded([]);
    const uploading = store.upload(new File(['text'], 'notes.pdf'), {});
    await settle();
    http.expectOne(`${BASE}/DocumentReference/$upload`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'not-supported', diagnostics: 'The file is not an accepted type (PDF, PNG, JPEG, DICOM)' }],
      },
      { status: 415, statusText: 'Unsupported Media Type' },
    );
    expect(await uploading).toBe(false);
    expect(store.error()).toMatch(/not an accepted type/);
    expect(store.reports()).toEqual([]);
    expect(store.uploadPercent()).toBeUndefined();
  });

  it('downloads through the signed URL of $download-url, named after the report', async () => {
    const { store, http } = await loaded([report('r1', 'Blood panel')]);
    const followed: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      followed.push({ href: this.href, download: this.download });
    });
    const downloading = store.download(store.reports()[0]);
    const signed = http.expectOne(`${BASE}/DocumentReference/r1/$download-url`);
    expect(signed.request.method).toBe('GET');
    signed.flush({
      resourceType: 'Parameters',
      parameter: [
        { name: 'url', valueUrl: 'http://medbuddy.test/documents/signed-token' },
        { name: 'expires', valueInstant: '2026-11-25T16:00:00Z' },
      ],
    });
    await downloading;
    expect(followed).toEqual([{ href: 'http://medbuddy.test/documents/signed-token', download: 'Blood panel.pdf' }]);
    click.mockRestore();
  });
});
