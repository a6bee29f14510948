import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { MatButtonHarness } from '@angular/material/button/testing';
import { MatButtonToggleGroupHarness } from '@angular/material/button-toggle/testing';
import { provideRouter, Router } from '@angular/router';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { AuthStore } from '../../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { CalendarStore } from '../calendar-store';
import { CalendarPage } from './calendar-page';

const BASE = 'http://medbuddy.test/fhir';

function searchset(resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    entry: resources.map((resource) => ({
      resource,
      search: { mode: resource.resourceType === 'Slot' || resource.resourceType === 'PractitionerRole' ? 'match' : 'include' },
    })),
  };
}

describe('CalendarPage', () => {
  async function setUp(view: string, date: string) {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        provideRouter([]),
        CalendarStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { fhirUser: signal('Practitioner/d1') } },
      ],
    });
    const http = TestBed.inject(HttpTestingController);
    const fixture = TestBed.createComponent(CalendarPage);
    fixture.componentRef.setInput('view', view);
    fixture.componentRef.setInput('date', date);
    http
      .expectOne((r) => r.url === `${BASE}/PractitionerRole`)
      .flush(
        searchset([
          {
            resourceType: 'PractitionerRole',
            id: 'r1',
            extension: [{ url: 'https://medbuddy.dev/fhir/StructureDefinition/timezone', valueCode: 'Asia/Tokyo' }],
          },
          { resourceType: 'Schedule', id: 's1', actor: [{ reference: 'PractitionerRole/r1' }] },
        ]),
      );
    await fixture.whenStable();
    await new Promise((resolve) => setTimeout(resolve, 0));
    const slots = http.expectOne((r) => r.url === `${BASE}/Slot`);
    slots.flush(
      searchset([
        { resourceType: 'Slot', id: 'f', schedule: {}, status: 'free', start: '2026-12-01T00:00:00Z', end: '2026-12-01T00:30:00Z' },
        {
          resourceType: 'Slot',
          id: 'h',
          schedule: {},
          status: 'busy-tentative',
          start: '2026-12-01T00:30:00Z',
          end: '2026-12-01T01:00:00Z',
        },
        { resourceType: 'Slot', id: 'b', schedule: {}, status: 'busy', start: '2026-12-01T01:00:00Z', end: '2026-12-01T01:30:00Z' },
        {
          resourceType: 'Appointment',
          id: 'a1',
          status: 'arrived',
          slot: [{ reference: 'Slot/b' }],
          participant: [{ actor: { reference: 'Patient/p1' }, status: 'accepted' }],
        },
        { resourceType: 'Patient', id: 'p1', name: [{ given: ['Rebecca'], family: 'Adler' }] },
        { resourceType: 'Encounter', id: 'e1', status: 'arrived', class: { code: 'VR' }, appointment: [{ reference: 'Appointment/a1' }] },
      ]),
    );
    await new Promise((resolve) => setTimeout(resolve, 0));
    await fixture.whenStable();
    return { fixture, http, loader: TestbedHarnessEnvironment.loader(fixture), element: fixture.nativeElement as HTMLElement };
  }

  it('shows each slot with its state in words, at the time in the doctor zone, and links the booked one to its consultation', async () => {
    const { element, http } = await setUp('day', '2026-12-01');
    expect(element.textContent).toContain('Times in Asia/Tokyo');
    expect(element.querySelector('h2.title')?.textContent?.trim()).toBe('Tuesday 1 December 2026');
    const items = [...element.querySelectorAll<HTMLElement>('.days li.slot')];
    // 00:00 UTC is 09:00 in Tokyo.
    expect(items.map((li) => li.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      '09:00–09:30 Free',
      '09:30–10:00 Held',
      '10:00–10:30 Booked, Rebecca Adler, open the consultation',
    ]);
    expect(items.map((li) => ['free', 'held', 'booked'].find((state) => li.classList.contains(state)))).toEqual(['free', 'held', 'booked']);
    expect(items[2].querySelector('a')?.getAttribute('href')).toBe('/consultations/e1');
    http.verify();
  });

  it('switches view and steps through weeks with the router', async () => {
    const { loader } = await setUp('week', '2026-12-02');
    const router = TestBed.inject(Router);
    const navigate = vi.spyOn(router, 'navigate').mockResolvedValue(true);
    const toggles = await loader.getHarness(MatButtonToggleGroupHarness.with({ selector: '[aria-label="View"]' }));
    const [day] = await toggles.getToggles({ text: 'Day' });
    await day.check();
    expect(navigate).toHaveBeenLastCalledWith([], { queryParams: { view: 'day', date: '2026-12-02' } });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Next week' }))).click();
    expect(navigate).toHaveBeenLastCalledWith([], { queryParams: { view: 'week', date: '2026-12-09' } });
    await (await loader.getHarness(MatButtonHarness.with({ text: 'Previous week' }))).click();
    expect(navigate).toHaveBeenLastCalledWith([], { queryParams: { view: 'week', date: '2026-11-25' } });
  });
});
