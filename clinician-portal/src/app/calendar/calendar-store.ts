import { computed, inject, Injectable, signal } from '@angular/core';
import type { Appointment, Bundle, Encounter, PractitionerRole, Resource, Schedule, Slot } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { EXTENSION } from '../availability/practice-form';
import { AuthStore } from '../core/auth/auth-store';
import { linkUrl, matches, resolveReference, resourcesOfType } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { formatHumanName } from '../shared/human-name.pipe';
import { dayIn, dayLabel, rangeLabel, rangeOf, timeIn, type CalendarView } from './calendar-dates';

/** A slot's state as the doctor reads it (Slot.status: free, busy-tentative, busy, busy-unavailable). */
export type SlotState = 'free' | 'held' | 'booked' | 'unavailable';

export const STATE_LABELS: Readonly<Record<SlotState, string>> = {
  free: 'Free',
  held: 'Held',
  booked: 'Booked',
  unavailable: 'Unavailable',
};

/** Slots a page of the search asks for; the store follows `next` links until the range is read. */
export const PAGE_SIZE = 200;
/** A week of 5-minute slots around the clock is 2,016 slots: more pages than this is a runaway. */
const MAX_PAGES = 20;

/** One slot as the calendar shows it, its times in the doctor's zone. */
export interface CalendarSlot {
  readonly id: string;
  readonly start: string;
  readonly end: string;
  /** The local day (`2026-12-01`) and times (`09:30`) in the doctor's zone. */
  readonly day: string;
  readonly time: string;
  readonly endTime: string;
  readonly state: SlotState;
  /** Booked slots: the patient's name when the doctor may read the Patient (else the appointment's display). */
  readonly patientName?: string;
  readonly patientId?: string;
  /** Booked slots whose patient checked in: the consultation's Encounter. */
  readonly encounterId?: string;
}

export interface CalendarDay {
  readonly date: string;
  readonly label: string;
  readonly shortLabel: string;
  readonly slots: readonly CalendarSlot[];
}

/**
 * The signed-in doctor's slots for a day or a week, in the zone of their availability rules:
 * `Slot?schedule=...&start=ge..&start=lt..` with the Appointments on them (`_revinclude`), their
 * patients (`_include:iterate`) and consultations (Encounters, `_revinclude:iterate`), read page
 * by page through the server's `next` links.
 */
@Injectable()
export class CalendarStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly schedule = signal<Schedule | undefined>(undefined);
  private readonly zone = signal('UTC');
  private readonly currentView = signal<CalendarView>('week');
  private readonly currentDate = signal(dayIn(new Date(), 'UTC'));
  private readonly slots = signal<readonly CalendarSlot[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly ready = signal(false);
  /** The latest request: an older one that answers late is dropped. */
  private generation = 0;

  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly timeZone = this.zone.asReadonly();
  readonly view = this.currentView.asReadonly();
  readonly date = this.currentDate.asReadonly();
  /** False once loaded when the doctor has no Schedule yet (no availability saved). */
  readonly hasSchedule = computed(() => this.schedule() !== undefined);
  readonly loaded = this.ready.asReadonly();
  readonly title = computed(() => rangeLabel(this.currentView(), this.currentDate()));
  readonly days = computed((): CalendarDay[] => {
    const byDay = new Map<string, CalendarSlot[]>();
    for (const slot of this.slots()) {
      byDay.set(slot.day, [...(byDay.get(slot.day) ?? []), slot]);
    }
    return rangeOf(this.currentView(), this.currentDate(), this.zone()).days.map((date) => ({
      date,
      label: dayLabel(date),
      shortLabel: dayLabel(date, 'short'),
      slots: byDay.get(date) ?? [],
    }));
  });
  readonly counts = computed(() => {
    const counts: Record<SlotState, number> = { free: 0, held: 0, booked: 0, unavailable: 0 };
    for (const slot of this.slots()) {
      counts[slot.state]++;
    }
    return counts;
  });

  /** Today in the doctor's zone. */
  today(now = new Date()): string {
    return dayIn(now, this.zone());
  }

  /** Finds the doctor's PractitionerRole (its zone) and Schedule; then `show` reads slots. */
  async load(): Promise<void> {
    const practitioner = this.auth.fhirUser();
    if (!practitioner?.startsWith('Practitioner/')) {
      this.busy.set(false);
      this.ready.set(true);
      return;
    }
    this.busy.set(true);
    try {
      const bundle = await firstValueFrom(this.fhir.search('PractitionerRole', { practitioner, _count: 1, _revinclude: 'Schedule:actor' }));
      const role = matches(bundle)[0] as PractitionerRole | undefined;
      this.zone.set(validZone(role?.extension?.find((e) => e.url === `${EXTENSION}timezone`)?.valueCode));
      this.schedule.set(
        resourcesOfType(bundle, 'Schedule').find((s) => s.actor.some((a) => a.reference === `PractitionerRole/${role?.id}`)),
      );
      this.failure.set(undefined);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
      this.ready.set(true);
    }
  }

  /** Shows a day or the week of `date` (`YYYY-MM-DD` in the doctor's zone; default today). */
  async show(view: CalendarView, date: string = this.today()): Promise<void> {
    this.currentView.set(view);
    this.currentDate.set(date);
    const id = this.schedule()?.id;
    if (!id) {
      this.slots.set([]);
      return;
    }
    const generation = ++this.generation;
    const range = rangeOf(view, date, this.zone());
    this.busy.set(true);
    this.failure.set(undefined);
    // No slots of the range shown before under the new title while the new range loads.
    this.slots.set([]);
    try {
      const bundles = await this.readAll({
        schedule: `Schedule/${id}`,
        start: [`ge${range.start.toISOString()}`, `lt${range.end.toISOString()}`],
        // No _sort: the server then narrows by the schedule's reference index first (a few hundred
        // slots) instead of walking every doctor's slots of the week in start order; sorted here.
        _count: PAGE_SIZE,
        _revinclude: 'Appointment:slot',
        '_include:iterate': 'Appointment:patient:Patient',
        '_revinclude:iterate': 'Encounter:appointment:Appointment',
      });
      if (generation === this.generation) {
        const slots = bundles.flatMap((bundle) => calendarSlots(bundle, this.zone()));
        this.slots.set(slots.sort((a, b) => Date.parse(a.start) - Date.parse(b.start)));
      }
    } catch (error) {
      if (generation === this.generation) {
        this.slots.set([]);
        this.failure.set(outcomeMessage(error));
      }
    } finally {
      if (generation === this.generation) {
        this.busy.set(false);
      }
    }
  }

  private async readAll(params: Parameters<FhirClient['search']>[1]): Promise<Bundle[]> {
    const pages: Bundle[] = [await firstValueFrom(this.fhir.search('Slot', params))];
    for (let next = linkUrl(pages[0], 'next'); next && pages.length < MAX_PAGES; next = linkUrl(pages[pages.length - 1], 'next')) {
      pages.push(await firstValueFrom(this.fhir.page<Resource>(next)));
    }
    return pages;
  }
}

/** The slots of one page with what the page's includes say about their appointments. */
export function calendarSlots(bundle: Bundle, zone: string): CalendarSlot[] {
  const appointments = resourcesOfType(bundle, 'Appointment');
  const encounters = resourcesOfType(bundle, 'Encounter');
  return (matches(bundle) as Slot[]).flatMap((slot): CalendarSlot[] => {
    const state = stateOf(slot.status);
    if (!state || !slot.id) {
      return [];
    }
    const base = { id: slot.id, start: slot.start, end: slot.end, day: dayIn(slot.start, zone), time: timeIn(slot.start, zone) };
    const calendarSlot: CalendarSlot = { ...base, endTime: timeIn(slot.end, zone), state };
    if (state !== 'booked') {
      return [calendarSlot];
    }
    const appointment = liveAppointment(appointments, slot.id);
    if (!appointment) {
      return [calendarSlot];
    }
    const patientRef = appointment.participant.map((p) => p.actor?.reference).find((ref) => ref?.startsWith('Patient/'));
    const patient = resolveReference<'Patient'>(bundle, patientRef);
    const name = formatHumanName(patient?.name) || appointment.participant.find((p) => p.actor?.reference === patientRef)?.actor?.display;
    const encounter = encounters.find((e: Encounter) => e.appointment?.some((a) => a.reference === `Appointment/${appointment.id}`));
    return [
      {
        ...calendarSlot,
        patientName: name || undefined,
        patientId: patient?.id,
        encounterId: encounter?.id,
      },
    ];
  });
}

function stateOf(status: Slot['status']): SlotState | undefined {
  switch (status) {
    case 'free':
      return 'free';
    case 'busy-tentative':
      return 'held';
    case 'busy':
      return 'booked';
    case 'busy-unavailable':
      return 'unavailable';
    default:
      return undefined;
  }
}

/** The appointment that holds the slot: a cancelled one (the slot freed and booked again) does not. */
function liveAppointment(appointments: readonly Appointment[], slotId: string): Appointment | undefined {
  return appointments.find(
    (a) => a.status !== 'cancelled' && a.status !== 'entered-in-error' && a.slot?.some((s) => s.reference === `Slot/${slotId}`),
  );
}

/** A zone Intl knows, else UTC (a typo in stored rules must not break the page). */
function validZone(zone: string | undefined): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone ?? 'UTC' });
    return zone ?? 'UTC';
  } catch {
    return 'UTC';
  }
}
