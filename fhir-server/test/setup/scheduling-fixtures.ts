import type { Bundle, PractitionerRole, Schedule, Slot } from '@medplum/fhirtypes';
import type { Actor, TestServer } from './test-server';

export const FHIR_JSON = 'application/fhir+json';
export const TIMEZONE_URL = 'https://medbuddy.dev/fhir/StructureDefinition/timezone';
export const SLOT_LENGTH_URL = 'https://medbuddy.dev/fhir/StructureDefinition/slot-length';
export const SPECIALTY_SYSTEM = 'https://medbuddy.dev/fhir/CodeSystem/specialty';
export const EVERY_DAY = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

export interface RuleOptions {
  readonly zone?: string;
  readonly slotMinutes?: number;
  readonly availableTime?: PractitionerRole['availableTime'];
  readonly notAvailable?: PractitionerRole['notAvailable'];
  readonly specialty?: string;
}

/** A PractitionerRole carrying availability rules (default: every day 09:00-11:00 UTC, 30-minute slots). */
export function roleWithRules(practitioner: string, options: RuleOptions = {}): PractitionerRole {
  return {
    resourceType: 'PractitionerRole',
    active: true,
    practitioner: { reference: practitioner },
    specialty: [{ coding: [{ system: SPECIALTY_SYSTEM, code: options.specialty ?? 'primary-care' }] }],
    extension: [
      { url: TIMEZONE_URL, valueCode: options.zone ?? 'UTC' },
      {
        url: SLOT_LENGTH_URL,
        valueDuration: { value: options.slotMinutes ?? 30, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
      },
    ],
    availableTime: options.availableTime ?? [{ daysOfWeek: [...EVERY_DAY], availableStartTime: '09:00:00', availableEndTime: '11:00:00' }],
    notAvailable: options.notAvailable,
  };
}

export async function postAs<T>(
  agent: Actor['agent'],
  resource: T & { resourceType: string },
  expected = 201,
): Promise<T & { id: string }> {
  const res = await agent.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  if (res.status !== expected) {
    throw new Error(`POST ${resource.resourceType}: expected ${expected}, got ${res.status} ${res.text}`);
  }
  return JSON.parse(res.text) as T & { id: string };
}

export interface DoctorWithSchedule {
  readonly doctor: Actor;
  readonly role: PractitionerRole & { id: string };
  readonly schedule: Schedule & { id: string };
}

/** A verified doctor who set up a role with rules and a schedule; the schedule's slots are generated. */
export async function doctorWithSchedule(server: TestServer, options: RuleOptions = {}, verified = true): Promise<DoctorWithSchedule> {
  const doctor = await server.actAsDoctor({ verified });
  const role = await postAs<PractitionerRole>(doctor.agent, roleWithRules(doctor.profile as string, options));
  const schedule = await postAs<Schedule>(doctor.agent, {
    resourceType: 'Schedule',
    active: true,
    actor: [{ reference: `PractitionerRole/${role.id}` }, { reference: doctor.profile as string }],
    extension: [{ url: TIMEZONE_URL, valueCode: options.zone ?? 'UTC' }],
  });
  return { doctor, role, schedule };
}

/** Every slot of a schedule from now on, soonest first (read with full access). */
export async function slotsOf(server: TestServer, scheduleId: string, status?: string): Promise<(Slot & { id: string })[]> {
  const slots: (Slot & { id: string })[] = [];
  let url: string | undefined =
    `/fhir/Slot?schedule=Schedule/${scheduleId}&start=ge${new Date().toISOString()}&_sort=start&_count=1000${status ? `&status=${status}` : ''}`;
  while (url) {
    const bundle = JSON.parse((await server.request.get(url).expect(200)).text) as Bundle<Slot & { id: string }>;
    slots.push(...(bundle.entry ?? []).map((e) => e.resource as Slot & { id: string }));
    const next = bundle.link?.find((l) => l.relation === 'next')?.url;
    url = next ? next.slice(next.indexOf('/fhir/')) : undefined;
  }
  return slots;
}
