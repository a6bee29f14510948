import { HttpEventType, provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatProgressBarHarness } from '@angular/material/progress-bar/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { provideIcons } from '../../core/shell/icons';
import { ReportsPage } from './reports-page';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('ReportsPage', () => {
  vi.setConfig({ testTimeout: 30_000 });

  it('takes a dropped file, uploads it with a progress bar, and lists it', async () => {
    TestBed.configureTestingModule({
      imports: [ReportsPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideIcons(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { patientId: signal('p1') } },
      ],
    });
    const fixture = TestBed.createComponent(ReportsPage);
    const http = TestBed.inject(HttpTestingController);
    fixture.detectChanges();
    http.expectOne(`${BASE}/Patient/p1`).flush({ resourceType: 'Patient', id: 'p1' });
    await settle();
    http.expectOne((r) => r.url === `${BASE}/DocumentReference`).flush({ resourceType: 'Bundle', type: 'searchset' });
    await settle();
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    const loader = TestbedHarnessEnvironment.loader(fixture);
    expect(element.textContent).toContain('No reports yet.');

    // jsdom has no DataTransfer: a drop event carrying the file list is enough for the page.
    const drop = new Event('drop', { bubbles: true, cancelable: true });
    Object.defineProperty(drop, 'dataTransfer', {
      value: { files: [new File(['%PDF-1.4'], 'blood-panel.pdf', { type: 'application/pdf' })] },
    });
    element.querySelector('[data-testid="drop-zone"]')!.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    await fixture.whenStable();
    expect(element.textContent).toContain('Selected: blood-panel.pdf');
    expect(await (await loader.getHarness(MatInputHarness.with({ selector: '[name="title"]' }))).getValue()).toBe('blood-panel');

    await (await loader.getHarness(MatButtonHarness.with({ text: 'Upload' }))).click();
    await settle();
    const upload = http.expectOne(`${BASE}/DocumentReference/$upload`);
    upload.event({ type: HttpEventType.UploadProgress, loaded: 4, total: 8 });
    await fixture.whenStable();
    const progress = await loader.getHarness(MatProgressBarHarness.with({ selector: '[mode="determinate"]' }));
    expect(await progress.getValue()).toBe(50);
    expect(await (await loader.getHarness(MatButtonHarness.with({ text: 'Upload' }))).isDisabled()).toBe(true);

    upload.flush(
      {
        resourceType: 'DocumentReference',
        id: 'r1',
        status: 'current',
        date: '2026-11-20T00:00:00Z',
        content: [{ attachment: { contentType: 'application/pdf', title: 'blood-panel', size: 8 } }],
      },
      { status: 201, statusText: 'Created' },
    );
    await settle();
    await fixture.whenStable();
    expect(await loader.getAllHarnesses(MatProgressBarHarness.with({ selector: '[mode="determinate"]' }))).toHaveLength(0);
    expect(element.textContent).toContain('blood-panel.pdf is uploaded.');
    expect(element.querySelector('mat-card h3')?.textContent).toBe('blood-panel');
    http.verify();
  });
});
