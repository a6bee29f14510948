import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting, type TestRequest } from '@angular/common/http/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatInputHarness } from '@angular/material/input/testing';
import { MatSelectHarness } from '@angular/material/select/testing';
import type { AllergyIntolerance, Condition } from '@medplum/fhirtypes';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { ALLERGIES, CONDITIONS, type HealthItemKind } from '../health-item-kinds';
import { HealthList } from './health-list';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

describe('HealthList', () => {
  // Material harnesses on a loaded machine can take a few seconds per test.
  vi.setConfig({ testTimeout: 30_000 });

  async function render(kind: HealthItemKind, existing: (Condition | AllergyIntolerance)[]) {
    TestBed.configureTestingModule({
      imports: [HealthList],
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    const fixture = TestBed.createComponent(HealthList);
    fixture.componentRef.setInput('kind', kind);
    fixture.componentRef.setInput('patient', 'Patient/p1');
    const http = TestBed.inject(HttpTestingController);
    fixture.detectChanges();
    const search = http.expectOne((r) => r.url === `${BASE}/${kind.resourceType}`);
    expect(search.request.params.get(kind.patientParam)).toBe('Patient/p1');
    search.flush({ resourceType: 'Bundle', type: 'searchset', entry: existing.map((resource) => ({ resource })) });
    await settle();
    await fixture.whenStable();
    const loader = TestbedHarnessEnvironment.loader(fixture);
    const text = () => (fixture.nativeElement as HTMLElement).textContent ?? '';
    const button = (name: string | RegExp) => loader.getHarness(MatButtonHarness.with({ text: name }));
    return { fixture, http, loader, text, button };
  }

  const asthma: Condition = {
    resourceType: 'Condition',
    id: 'c1',
    meta: { versionId: '2' },
    code: { text: 'Asthma' },
    subject: { reference: 'Patient/p1' },
    recordedDate: '2026-01-01',
    note: [{ text: 'Since childhood' }],
  };

  it("lists the patient's entries, or says there are none", async () => {
    const { text } = await render(CONDITIONS, [asthma]);
    expect(text()).toContain('Asthma');
    expect(text()).toContain('Since childhood');
    TestBed.resetTestingModule();
    const empty = await render(CONDITIONS, []);
    expect(empty.text()).toContain('No conditions recorded.');
  });

  it('adds an allergy with its severity, as a profiled AllergyIntolerance in the patient compartment', async () => {
    const { loader, http, button, text, fixture } = await render(ALLERGIES, []);
    await (await button('Add allergy')).click();
    await (await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=name]' }))).setValue('Peanuts');
    await (await loader.getHarness(MatSelectHarness)).clickOptions({ text: 'Severe reaction' });
    await (await button('Save allergy')).click();
    await settle();
    const create: TestRequest = http.expectOne(`${BASE}/AllergyIntolerance`);
    expect(create.request.method).toBe('POST');
    expect(create.request.body).toMatchObject({
      resourceType: 'AllergyIntolerance',
      meta: { profile: ['https://medbuddy.dev/fhir/StructureDefinition/medbuddy-allergy'] },
      code: { text: 'Peanuts' },
      criticality: 'high',
      patient: { reference: 'Patient/p1' },
    });
    create.flush({ ...create.request.body, id: 'a1', meta: { versionId: '1' } });
    await settle();
    await fixture.whenStable();
    expect(text()).toContain('Peanuts');
    expect(text()).toContain('Severe reaction');
  });

  it('edits with If-Match, keeping what the form does not show', async () => {
    const { loader, http, button, text, fixture } = await render(CONDITIONS, [asthma]);
    await (await button('Edit')).click();
    const name = await loader.getHarness(MatInputHarness.with({ selector: '[formControlName=name]' }));
    expect(await name.getValue()).toBe('Asthma');
    await name.setValue('Allergic asthma');
    await (await button('Save condition')).click();
    await settle();
    const update = http.expectOne(`${BASE}/Condition/c1`);
    expect(update.request.method).toBe('PUT');
    expect(update.request.headers.get('If-Match')).toBe('W/"2"');
    expect(update.request.body).toMatchObject({ id: 'c1', code: { text: 'Allergic asthma' }, recordedDate: '2026-01-01' });
    update.flush({ ...update.request.body, meta: { versionId: '3' } });
    await settle();
    await fixture.whenStable();
    expect(text()).toContain('Allergic asthma');
  });

  it('removes after asking, and shows a refusal as a sentence', async () => {
    const { http, button, text, fixture } = await render(CONDITIONS, [asthma]);
    await (await button('Remove')).click();
    expect(text()).toContain('Remove Asthma?');
    await (await button('Yes, remove')).click();
    await settle();
    http
      .expectOne(`${BASE}/Condition/c1`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'conflict' }] },
        { status: 412, statusText: 'Precondition Failed' },
      );
    await settle();
    await fixture.whenStable();
    expect(text()).toContain('Someone else changed this at the same time.');
    await (await button('Yes, remove')).click();
    await settle();
    const remove = http.expectOne(`${BASE}/Condition/c1`);
    expect(remove.request.method).toBe('DELETE');
    remove.flush(null, { status: 204, statusText: 'No Content' });
    await settle();
    await fixture.whenStable();
    expect(text()).toContain('No conditions recorded.');
  });
});
