import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { provideIcons } from '../../core/shell/icons';
import { ReportUpload } from './report-upload';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('ReportUpload', () => {
  it('takes a dropped PDF and uploads it for the patient in this encounter, then lists it', async () => {
    TestBed.configureTestingModule({
      imports: [ReportUpload],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideIcons(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
      ],
    });
    const fixture = TestBed.createComponent(ReportUpload);
    fixture.componentRef.setInput('patient', 'Patient/p1');
    fixture.componentRef.setInput('encounter', 'Encounter/e1');
    fixture.detectChanges();
    const http = TestBed.inject(HttpTestingController);
    http.expectOne((r) => r.url === `${BASE}/DocumentReference`).flush({ resourceType: 'Bundle', type: 'searchset' });
    await settle();
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.textContent).toContain('No report uploaded in this consultation.');

    const drop = new Event('drop', { cancelable: true });
    const file = new File(['%PDF-1.7'], 'referral.pdf', { type: 'application/pdf' });
    Object.defineProperty(drop, 'dataTransfer', { value: { files: [file] } });
    element.querySelector('[data-testid="drop-zone"]')?.dispatchEvent(drop);
    fixture.detectChanges();
    await fixture.whenStable();
    expect(element.textContent).toContain('Selected: referral.pdf');
    (element.querySelector('select[name="reportCategory"]') as HTMLSelectElement).value = 'Referral letter';
    element.querySelector('select[name="reportCategory"]')?.dispatchEvent(new Event('change'));
    (element.querySelector('form') as HTMLFormElement).dispatchEvent(new Event('submit'));

    const upload = http.expectOne(`${BASE}/DocumentReference/$upload`);
    const form = upload.request.body as FormData;
    expect([form.get('patient'), form.get('encounter'), form.get('title'), form.get('category')]).toEqual([
      'Patient/p1',
      'Encounter/e1',
      'referral',
      'Referral letter',
    ]);
    upload.flush({
      resourceType: 'DocumentReference',
      id: 'd1',
      status: 'current',
      category: [{ text: 'Referral letter' }],
      content: [{ attachment: { title: 'referral', size: 2048 } }],
    });
    await settle();
    fixture.detectChanges();
    expect(element.textContent).toContain('referral.pdf is uploaded for the patient.');
    expect(element.querySelector('ul[aria-label="Reports of this consultation"]')?.textContent).toContain(
      'referral (Referral letter, 2 KB)',
    );
    http.verify();
  });
});
