import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatStepperHarness } from '@angular/material/stepper/testing';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { provideIcons } from '../../core/shell/icons';
import { CredentialsStore } from '../credentials-store';
import { OnboardingStore } from '../onboarding-store';
import { OnboardingPage } from './onboarding-page';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('OnboardingPage', () => {
  async function render() {
    TestBed.configureTestingModule({
      imports: [OnboardingPage],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        OnboardingStore,
        CredentialsStore,
        provideIcons(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal('Practitioner/d1') } },
      ],
    });
    const fixture = TestBed.createComponent(OnboardingPage);
    const http = TestBed.inject(HttpTestingController);
    fixture.detectChanges();
    http.expectOne(`${BASE}/Practitioner/d1`).flush({
      resourceType: 'Practitioner',
      id: 'd1',
      active: false,
      name: [{ given: ['James'], family: 'Wilson' }],
      qualification: [{ code: { text: 'MD' }, issuer: { display: 'Charité' }, period: { start: '2011-07-01' } }],
    });
    http.expectOne((r) => r.url === `${BASE}/PractitionerRole`).flush({ resourceType: 'Bundle', type: 'searchset' });
    for (const request of http.match((r) => r.url === `${BASE}/ValueSet/$expand`)) {
      request.flush({ resourceType: 'ValueSet', status: 'active', expansion: { timestamp: '2026-11-25', contains: [] } });
    }
    await settle();
    fixture.detectChanges();
    // The documents step lists the doctor's credential documents.
    for (const request of http.match((r) => r.url === `${BASE}/DocumentReference`)) {
      request.flush({ resourceType: 'Bundle', type: 'searchset' });
    }
    await settle();
    fixture.detectChanges();
    return { fixture, http, loader: TestbedHarnessEnvironment.loader(fixture) };
  }

  it('starts from the stored profile, with five steps and the pending state', async () => {
    const { fixture, loader } = await render();
    const stepper = await loader.getHarness(MatStepperHarness);
    const labels = await Promise.all((await stepper.getSteps()).map((step) => step.getLabel()));
    expect(labels).toEqual(['Profile', 'Qualifications', 'Licence documents', 'Practice', 'Review and submit']);
    const lastName = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="familyName"]' }));
    expect(await lastName.getValue()).toBe('Wilson');
    const issuer = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName="issuer"]' }));
    expect(await issuer.getValue()).toBe('Charité');
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('Pending verification');
  });

  it('offers the licence upload with removal while the doctor is not verified', async () => {
    const { fixture, loader, http } = await render();
    const stepper = await loader.getHarness(MatStepperHarness);
    await stepper.selectStep({ label: 'Licence documents' });
    const credentials = TestBed.inject(CredentialsStore);
    credentials.documents.set([
      {
        resourceType: 'DocumentReference',
        id: 'doc1',
        status: 'current',
        content: [{ attachment: { title: 'Medical licence', size: 4096 } }],
      },
    ]);
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    expect(element.querySelector('input[type="file"]')?.getAttribute('aria-label')).toBe('Licence or certificate file');
    expect(element.textContent).toContain('Medical licence');
    await (await loader.getHarness(MatButtonHarness.with({ selector: '[aria-label="Remove Medical licence"]' }))).click();
    http.expectOne((r) => r.method === 'DELETE' && r.url === `${BASE}/DocumentReference/doc1`);
  });

  it('does not submit while the practice step is incomplete', async () => {
    const { loader, http } = await render();
    const stepper = await loader.getHarness(MatStepperHarness);
    await stepper.selectStep({ label: 'Review and submit' });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Submit for verification' }))).click();
    http.expectNone(`${BASE}/Practitioner/d1`);
    http.verify();
  });
});
