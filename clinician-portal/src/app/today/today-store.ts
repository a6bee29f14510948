import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Appointment, Bundle, Encounter, Patient } from '@medplum/fhirtypes';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches, resolveReference } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { formatHumanName } from '../shared/human-name.pipe';

/** The waiting room is read again this often, so that patients who check in appear without a reload. */
export const POLL_MS = 4000;

/** One appointment of the day with what the doctor needs to act on it. */
export interface DayEntry {
  readonly appointment: Appointment;
  readonly patientName: string;
  /** The consultation's Encounter once the patient checked in. */
  readonly encounter?: Encounter;
}

/**
 * The signed-in doctor's day: today's appointments (local day of the browser), the patients
 * waiting (checked in, Encounter `arrived`) and the consultations in progress, polled every
 * POLL_MS while the page is open; and the steps of a consultation ($admit, $end, no-show).
 */
@Injectable()
export class TodayStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly appointments = signal<readonly Appointment[]>([]);
  private readonly patients = signal<ReadonlyMap<string, string>>(new Map());
  private readonly encounters = signal<readonly Encounter[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private timer: ReturnType<typeof setInterval> | undefined;
  /** A poll still waiting for the server; the next tick is skipped rather than piling up requests. */
  private inFlight: Promise<void> | undefined;

  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly day = computed(() =>
    this.appointments().map((appointment): DayEntry => {
      const patient = patientReference(appointment);
      return {
        appointment,
        patientName: this.patients().get(patient ?? '') ?? participantDisplay(appointment, patient) ?? 'Patient',
        encounter: this.encounters().find((encounter) =>
          encounter.appointment?.some((a) => a.reference === `Appointment/${appointment.id}`),
        ),
      };
    }),
  );
  readonly waiting = computed(() => this.day().filter((entry) => entry.encounter?.status === 'arrived'));
  readonly inProgress = computed(() => this.day().filter((entry) => entry.encounter?.status === 'in-progress'));

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stopPolling());
  }

  /** Loads the day and keeps the waiting room fresh until the page closes. */
  async start(now = new Date()): Promise<void> {
    await this.refresh(now);
    this.stopPolling();
    this.timer = setInterval(() => {
      this.inFlight ??= this.refresh().finally(() => (this.inFlight = undefined));
    }, POLL_MS);
  }

  stopPolling(): void {
    clearInterval(this.timer);
  }

  async refresh(now = new Date()): Promise<void> {
    const practitioner = this.auth.fhirUser();
    if (!practitioner) {
      this.busy.set(false);
      return;
    }
    const dayStart = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    const dayEnd = new Date(dayStart.getFullYear(), dayStart.getMonth(), dayStart.getDate() + 1);
    try {
      const [appointments, encounters] = await Promise.all([
        firstValueFrom(
          this.fhir.search('Appointment', {
            actor: practitioner,
            date: [`ge${dayStart.toISOString()}`, `lt${dayEnd.toISOString()}`],
            _sort: 'date',
            _count: 100,
            _include: 'Appointment:patient',
          }),
        ),
        firstValueFrom(this.fhir.search('Encounter', { participant: practitioner, status: 'arrived,in-progress', _count: 100 })),
      ]);
      this.appointments.set(matches(appointments));
      this.patients.set(patientNames(appointments));
      this.encounters.set(matches(encounters));
      this.failure.set(undefined);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** `Encounter/[id]/$admit`: the consultation starts; the caller opens the workspace. */
  async admit(encounter: Encounter): Promise<boolean> {
    return this.step(() => firstValueFrom(this.fhir.operation(`Encounter/${encounter.id}/$admit`)));
  }

  /** `Encounter/[id]/$end`: the visit is finished and the appointment fulfilled. */
  async end(encounter: Encounter): Promise<boolean> {
    return this.step(() => firstValueFrom(this.fhir.operation(`Encounter/${encounter.id}/$end`)));
  }

  /** Marks a booked appointment whose patient did not come as a no-show. */
  async markNoShow(appointment: Appointment): Promise<boolean> {
    return this.step(() =>
      firstValueFrom(
        this.fhir.patch('Appointment', appointment.id as string, [{ op: 'replace', path: '/status', value: 'noshow' }], {
          ifMatch: appointment.meta?.versionId,
        }),
      ),
    );
  }

  private async step(work: () => Promise<unknown>): Promise<boolean> {
    this.failure.set(undefined);
    try {
      await work();
      await this.refresh();
      return true;
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return false;
    }
  }
}

function patientReference(appointment: Appointment): string | undefined {
  return appointment.participant.map((p) => p.actor?.reference).find((reference) => reference?.startsWith('Patient/'));
}

function participantDisplay(appointment: Appointment, patient: string | undefined): string | undefined {
  return appointment.participant.find((p) => p.actor?.reference === patient)?.actor?.display;
}

function patientNames(bundle: Bundle): Map<string, string> {
  const names = new Map<string, string>();
  for (const appointment of matches(bundle) as Appointment[]) {
    const reference = patientReference(appointment);
    const patient = resolveReference<'Patient'>(bundle, reference) as Patient | undefined;
    const name = formatHumanName(patient?.name);
    if (reference && name) {
      names.set(reference, name);
    }
  }
  return names;
}
