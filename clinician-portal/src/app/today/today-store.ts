import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Appointment, Bundle, Encounter, Patient } from '@medplum/fhirtypes';
import { firstValueFrom, merge, type Subscription } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { matches, resolveReference } from '../core/fhir/bundle';
import { FhirClient } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { formatHumanName } from '../shared/human-name.pipe';
import { LiveUpdates } from '../shared/live-updates/live-updates';

/** One appointment of the day with what the doctor needs to act on it. */
export interface DayEntry {
  readonly appointment: Appointment;
  readonly patientName: string;
  /** The consultation's Encounter once the patient checked in. */
  readonly encounter?: Encounter;
}

/**
 * The signed-in doctor's day: today's appointments (local day of the browser), the patients
 * waiting (checked in, Encounter `arrived`) and the consultations in progress, read again
 * whenever one of the doctor's Encounters or Appointments changes (LiveUpdates: the
 * Subscription websocket, else polling), so patients who check in appear without a reload;
 * and the steps of a consultation ($admit, $end, no-show).
 */
@Injectable()
export class TodayStore {
  private readonly fhir = inject(FhirClient);
  private readonly auth = inject(AuthStore);
  private readonly live = inject(LiveUpdates);
  private readonly appointments = signal<readonly Appointment[]>([]);
  private readonly patients = signal<ReadonlyMap<string, string>>(new Map());
  private readonly encounters = signal<readonly Encounter[]>([]);
  private readonly busy = signal(true);
  private readonly failure = signal<string | undefined>(undefined);
  private watching: Subscription | undefined;
  /** A reading of the day still waiting for the server; changes meanwhile ask for one more after it. */
  private inFlight: Promise<void> | undefined;
  private readAgain = false;

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
    inject(DestroyRef).onDestroy(() => this.stopWatching());
  }

  /** Loads the day and keeps it fresh until the page closes. */
  async start(now = new Date()): Promise<void> {
    await this.refresh(now);
    this.stopWatching();
    const practitioner = this.auth.fhirUser();
    if (practitioner) {
      // Check-ins, admissions and ends change the doctor's Encounters; bookings, cancellations
      // and no-shows their Appointments.
      this.watching = merge(this.live.changes('Encounter', { practitioner }), this.live.changes('Appointment', { practitioner })).subscribe(
        () => this.readSoon(),
      );
    }
  }

  stopWatching(): void {
    this.watching?.unsubscribe();
    this.watching = undefined;
  }

  /** Reads the day again, once more after the reading under way if there is one. */
  private readSoon(): void {
    if (this.inFlight) {
      this.readAgain = true;
      return;
    }
    this.inFlight = this.refresh().finally(() => {
      this.inFlight = undefined;
      if (this.readAgain) {
        this.readAgain = false;
        this.readSoon();
      }
    });
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
