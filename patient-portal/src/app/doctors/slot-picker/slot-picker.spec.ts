import { TestbedHarnessEnvironment } from '@angular/cdk/testing/testbed';
import { TestBed } from '@angular/core/testing';
import { MatButtonHarness } from '@angular/material/button/testing';
import type { Slot } from '@medplum/fhirtypes';
import { freeSlot } from '../doctor-testing';
import { SlotPicker } from './slot-picker';

describe('SlotPicker', () => {
  async function render(slots: Slot[], timeZone: string, doctorTimeZone?: string) {
    TestBed.configureTestingModule({ imports: [SlotPicker] });
    const fixture = TestBed.createComponent(SlotPicker);
    fixture.componentRef.setInput('slots', slots);
    fixture.componentRef.setInput('timeZone', timeZone);
    fixture.componentRef.setInput('doctorTimeZone', doctorTimeZone);
    await fixture.whenStable();
    const element = fixture.nativeElement as HTMLElement;
    return { fixture, element, loader: TestbedHarnessEnvironment.loader(fixture) };
  }

  // 23:30 UTC on 1 December is already 2 December in Berlin, still 1 December in New York.
  const slots = [freeSlot('s1', '2026-12-01T15:00:00Z'), freeSlot('s2', '2026-12-01T23:30:00Z')];

  it("groups times by the day in the patient's zone and names the zone", async () => {
    const { element } = await render(slots, 'America/New_York', 'Europe/Berlin');
    expect(element.textContent).toContain('Times are in your time zone: America/New_York');
    expect(element.querySelectorAll('section.day')).toHaveLength(1);
    TestBed.resetTestingModule();
    const berlin = await render(slots, 'Europe/Berlin', 'Europe/Berlin');
    expect(berlin.element.querySelectorAll('section.day')).toHaveLength(2);
  });

  it("shows the doctor's time on hover when the zones differ, and emits the picked slot", async () => {
    const { element, loader, fixture } = await render(slots, 'America/New_York', 'Europe/Berlin');
    const buttons = element.querySelectorAll('button');
    expect(buttons[0].getAttribute('title')).toMatch(/16:00 for the doctor \(Europe\/Berlin\)|4:00\sPM for the doctor/);
    const picked: Slot[] = [];
    fixture.componentInstance.picked.subscribe((slot) => picked.push(slot));
    await (await loader.getAllHarnesses(MatButtonHarness))[1].click();
    expect(picked.map((slot) => slot.id)).toEqual(['s2']);
  });

  it('says when there is no free time', async () => {
    const { element } = await render([], 'Europe/Berlin');
    expect(element.textContent).toContain('No free times in the coming two weeks.');
  });
});
