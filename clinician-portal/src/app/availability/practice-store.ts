import { computed, inject, Injectable, signal } from '@angular/core';
import type { Parameters, PractitionerRole, Schedule, Slot } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import {
  EXTENSION,
  fromPractitionerRole,
  practiceFormProblems,
  toPractitionerRole,
  emptyPracticeForm,
  type PracticeForm,
} from './practice-form';

/** How many upcoming slots (free, held or booked) the preview lists. */
export const PREVIEW_SLOTS = 100;

/** One day of the slot preview, in the doctor's time zone. */
export interface PreviewDay {
  readonly day: string;
  readonly slots: readonly Slot[];
}

/**
 * The signed-in doctor's PractitionerRole (profile and availability rules) and Schedule. Saving
 * the role makes the server regenerate the free slots; the preview shows the ones it made.
 */
@Injectable()
export class PracticeStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly role = signal<PractitionerRole | undefined>(undefined);
  private readonly schedule = signal<Schedule | undefined>(undefined);
  private readonly slots = signal<readonly Slot[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly notice = signal<string | undefined>(undefined);

  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly message = this.notice.asReadonly();
  readonly hasRole = computed(() => this.role() !== undefined);
  readonly timeZone = computed(() => this.form().timeZone);
  readonly form = computed(() => {
    const role = this.role();
    return role ? fromPractitionerRole(role, browserTimeZone()) : emptyPracticeForm(browserTimeZone());
  });
  readonly preview = computed(() => groupByDay(this.slots(), this.timeZone()));

  async load(): Promise<void> {
    const practitioner = this.practitioner();
    if (!practitioner) {
      this.busy.set(false);
      return;
    }
    await this.run(async () => {
      const roles = matches(await firstValueFrom(this.fhir.search('PractitionerRole', { practitioner, _count: 1 })));
      this.role.set(roles[0]);
      if (roles[0]?.id) {
        const schedules = matches(
          await firstValueFrom(this.fhir.search('Schedule', { actor: `PractitionerRole/${roles[0].id}`, _count: 1 })),
        );
        this.schedule.set(schedules[0]);
        await this.loadPreview();
      }
    });
  }

  /** Writes the role (the server checks the rules and regenerates slots), creates the Schedule the first time. */
  async save(form: PracticeForm): Promise<boolean> {
    const practitioner = this.practitioner();
    const problems = practiceFormProblems(form);
    if (!practitioner || problems.length > 0) {
      this.failure.set(problems.join(' ') || 'Only a doctor has a practice to edit.');
      return false;
    }
    return this.run(async () => {
      const existing = this.role();
      const resource = toPractitionerRole(form, practitioner, existing);
      const saved = existing?.id
        ? await firstValueFrom(this.fhir.update({ ...resource, id: existing.id }))
        : await firstValueFrom(this.fhir.create(resource));
      this.role.set(saved);
      if (!this.schedule()) {
        this.schedule.set(await firstValueFrom(this.fhir.create(newSchedule(saved, practitioner, form.timeZone))));
      }
      await this.loadPreview();
      this.notice.set('Saved. Your free slots follow the new rules.');
    });
  }

  /** `Schedule/[id]/$generate-slots`: brings the free slots in line with the rules now. */
  async generateSlots(): Promise<void> {
    const id = this.schedule()?.id;
    if (!id) {
      return;
    }
    await this.run(async () => {
      const result = await firstValueFrom(this.fhir.operation<Parameters>(`Schedule/${encodeURIComponent(id)}/$generate-slots`));
      const count = (name: string) => result.parameter?.find((p) => p.name === name)?.valueInteger ?? 0;
      await this.loadPreview();
      this.notice.set(`Slots generated: ${count('created')} added, ${count('removed')} removed.`);
    });
  }

  private async loadPreview(): Promise<void> {
    const id = this.schedule()?.id;
    if (!id) {
      this.slots.set([]);
      return;
    }
    const bundle = await firstValueFrom(
      this.fhir.search('Slot', {
        schedule: `Schedule/${id}`,
        start: `ge${new Date().toISOString()}`,
        _sort: 'start',
        _count: PREVIEW_SLOTS,
      }),
    );
    this.slots.set(matches(bundle));
  }

  private practitioner(): string | undefined {
    const fhirUser = this.auth.fhirUser();
    return fhirUser?.startsWith('Practitioner/') ? fhirUser : undefined;
  }

  private async run(work: () => Promise<void>): Promise<boolean> {
    this.busy.set(true);
    this.failure.set(undefined);
    this.notice.set(undefined);
    try {
      await work();
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    } finally {
      this.busy.set(false);
    }
  }
}

function newSchedule(role: PractitionerRole, practitioner: string, timeZone: string): Schedule {
  return {
    resourceType: 'Schedule',
    active: true,
    extension: [{ url: `${EXTENSION}timezone`, valueCode: timeZone }],
    specialty: role.specialty,
    actor: [{ reference: `PractitionerRole/${role.id}` }, { reference: practitioner }],
  };
}

/** Slots grouped by their local day in `timeZone` (`Mon 30 Nov`), in start order. */
export function groupByDay(slots: readonly Slot[], timeZone: string): PreviewDay[] {
  const format = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: safeZone(timeZone) });
  const days = new Map<string, Slot[]>();
  for (const slot of slots) {
    const parts = format.formatToParts(new Date(slot.start));
    const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
    const day = `${part('weekday')} ${part('day')} ${part('month')}`;
    days.set(day, [...(days.get(day) ?? []), slot]);
  }
  return [...days].map(([day, daySlots]) => ({ day, slots: daySlots }));
}

/** A zone Intl knows, else UTC (a typo in the form must not break the page). */
export function safeZone(timeZone: string): string {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
