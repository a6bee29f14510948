import type { Resource } from '@medplum/fhirtypes';
import {
  familyName,
  isoDay,
  mix,
  SPECIALTIES,
  syntheticAppointment,
  syntheticId,
  syntheticOrganization,
  syntheticPatient,
  syntheticPractitioner,
  syntheticPractitionerRole,
  syntheticSchedule,
  syntheticSlot,
  type PatientFacts,
} from './synthetic-resources';

/** Bump when the generated data changes, so a cached template database is rebuilt. */
export const GENERATOR_VERSION = 2;

export interface DatasetSize {
  readonly patients: number;
  readonly practitioners: number;
  readonly slotsPerSchedule: number;
  readonly appointments: number;
  readonly organizations: number;
}

/** Issue 3's volume: 100k Patients, 20k Practitioners (+ roles, schedules), 1M Slots, 200k Appointments. */
export const FULL_SIZE: DatasetSize = {
  patients: 100_000,
  practitioners: 20_000,
  slotsPerSchedule: 50,
  appointments: 200_000,
  organizations: 200,
};
/** `--quick`: the same shape at 2%. */
export const QUICK_SIZE: DatasetSize = {
  patients: 2_000,
  practitioners: 400,
  slotsPerSchedule: 50,
  appointments: 4_000,
  organizations: 20,
};

/** Slots run 5 days x 10 half-hour slots from 09:00 UTC on this day. */
export const FIRST_SLOT_DAY = '2027-03-01';
const SLOTS_PER_DAY = 10;
const PATIENTS_PER_FAMILY = 20;
/** One slot in five is booked by an appointment. */
const SLOTS_PER_APPOINTMENT = 5;

const SALT = { patient: 1, practitioner: 2, role: 3, schedule: 4, slot: 5, appointment: 6, organization: 7 } as const;

/**
 * The benchmark's search data as pure functions of an index: the loader writes it, and the
 * workloads pick query values and compute expected result counts from it, without reading back.
 */
export class SearchDataset {
  readonly families: number;
  readonly slots: number;

  constructor(readonly size: DatasetSize) {
    this.families = Math.max(1, Math.floor(size.patients / PATIENTS_PER_FAMILY));
    this.slots = size.practitioners * size.slotsPerSchedule;
    if (size.appointments * SLOTS_PER_APPOINTMENT > this.slots) {
      throw new Error('Not enough slots for the appointments');
    }
  }

  get total(): number {
    const { patients, practitioners, appointments, organizations } = this.size;
    return patients + practitioners * 3 + this.slots + appointments + organizations;
  }

  patientId(i: number): string {
    return syntheticId(SALT.patient, i);
  }
  practitionerId(j: number): string {
    return syntheticId(SALT.practitioner, j);
  }
  roleId(j: number): string {
    return syntheticId(SALT.role, j);
  }
  scheduleId(j: number): string {
    return syntheticId(SALT.schedule, j);
  }
  slotId(k: number): string {
    return syntheticId(SALT.slot, k);
  }
  appointmentId(a: number): string {
    return syntheticId(SALT.appointment, a);
  }

  patientFacts(i: number): PatientFacts {
    return {
      family: familyName(i % this.families),
      gender: mix(i, 3) % 2 ? 'female' : 'male',
      birthDate: isoDay('1930-01-01', mix(i, 2) % 32_000),
    };
  }

  /** Patients with family name number f: f, f + families, f + 2 * families, ... */
  patientsOfFamily(f: number): number[] {
    const out: number[] = [];
    for (let i = f; i < this.size.patients; i += this.families) {
      out.push(i);
    }
    return out;
  }

  specialtyOf(j: number): (typeof SPECIALTIES)[number] {
    return SPECIALTIES[mix(j, 4) % SPECIALTIES.length];
  }

  rolePeriodStart(j: number): string {
    return isoDay('2015-01-01', mix(j, 5) % 3650);
  }

  slotTimes(k: number): { start: string; end: string; day: number } {
    const m = k % this.size.slotsPerSchedule;
    const day = Math.floor(m / SLOTS_PER_DAY);
    const startMs = Date.parse(`${FIRST_SLOT_DAY}T09:00:00Z`) + day * 86_400_000 + (m % SLOTS_PER_DAY) * 1_800_000;
    return { start: new Date(startMs).toISOString(), end: new Date(startMs + 1_800_000).toISOString(), day };
  }

  isSlotBooked(k: number): boolean {
    return k % SLOTS_PER_APPOINTMENT === 0 && k / SLOTS_PER_APPOINTMENT < this.size.appointments;
  }

  appointmentSlot(a: number): number {
    return a * SLOTS_PER_APPOINTMENT;
  }

  appointmentPatient(a: number): number {
    return mix(a, 6) % this.size.patients;
  }

  appointmentPractitioner(a: number): number {
    return Math.floor(this.appointmentSlot(a) / this.size.slotsPerSchedule);
  }

  /** Free slots of schedule j on day d (0-based from FIRST_SLOT_DAY). */
  freeSlotsOn(j: number, day: number): number {
    let free = 0;
    for (let m = day * SLOTS_PER_DAY; m < (day + 1) * SLOTS_PER_DAY; m++) {
      if (!this.isSlotBooked(j * this.size.slotsPerSchedule + m)) {
        free++;
      }
    }
    return free;
  }

  /** Every resource, in an order where references point at resources written before. */
  *resources(): Generator<Resource & { id: string }> {
    const { organizations, practitioners, patients, appointments } = this.size;
    for (let o = 0; o < organizations; o++) {
      yield syntheticOrganization(syntheticId(SALT.organization, o), o);
    }
    for (let j = 0; j < practitioners; j++) {
      const practitioner = this.practitionerId(j);
      yield syntheticPractitioner(practitioner, j, familyName(100_000 + j));
      const specialty = this.specialtyOf(j);
      yield syntheticPractitionerRole(
        this.roleId(j),
        { practitioner, organization: syntheticId(SALT.organization, j % organizations) },
        specialty,
        this.rolePeriodStart(j),
        j,
      );
      yield syntheticSchedule(this.scheduleId(j), { practitioner, practitionerRole: this.roleId(j) }, specialty, {
        start: `${FIRST_SLOT_DAY}T00:00:00Z`,
        end: `${isoDay(FIRST_SLOT_DAY, this.size.slotsPerSchedule / SLOTS_PER_DAY)}T00:00:00Z`,
      });
    }
    for (let i = 0; i < patients; i++) {
      yield syntheticPatient(this.patientId(i), i, this.patientFacts(i)) as Resource & { id: string };
    }
    for (let k = 0; k < this.slots; k++) {
      const { start, end } = this.slotTimes(k);
      const schedule = this.scheduleId(Math.floor(k / this.size.slotsPerSchedule));
      yield syntheticSlot(this.slotId(k), schedule, start, end, this.isSlotBooked(k) ? 'busy' : 'free');
    }
    for (let a = 0; a < appointments; a++) {
      const k = this.appointmentSlot(a);
      const { start, end } = this.slotTimes(k);
      yield syntheticAppointment(
        this.appointmentId(a),
        {
          patient: this.patientId(this.appointmentPatient(a)),
          practitioner: this.practitionerId(this.appointmentPractitioner(a)),
          slot: this.slotId(k),
        },
        start,
        end,
      );
    }
  }
}
