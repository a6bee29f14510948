import { validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { coreFamilies, corePatient } from '../../bench/core-workloads';
import { percentile } from '../../bench/latency-stats';
import { SearchDataset } from '../../bench/search-dataset';
import { familyName } from '../../bench/synthetic-resources';
import { loadFhirDefinitions } from '../../src/definitions';

beforeAll(() => loadFhirDefinitions());

/** The benchmark measures the real write path, so its generated data must be valid R4. */
describe('benchmark data generator', () => {
  const dataset = new SearchDataset({ patients: 200, practitioners: 20, slotsPerSchedule: 50, appointments: 150, organizations: 3 });
  const resources = [...dataset.resources()];

  test('writes the announced number of resources, with unique ids per type', () => {
    expect(resources).toHaveLength(dataset.total);
    const keys = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
    expect(keys.size).toBe(resources.length);
  });

  test('every generated resource passes the full R4 validator', () => {
    const invalid: string[] = [];
    for (const resource of [...resources, corePatient(0, coreFamilies())]) {
      try {
        validateResource(resource as Resource);
      } catch (error) {
        invalid.push(`${resource.resourceType}: ${JSON.stringify((error as { outcome?: unknown }).outcome)}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  test('family names are distinct and none is a prefix of another (string search matches prefixes)', () => {
    const names = Array.from({ length: 5000 }, (_, k) => familyName(k));
    expect(new Set(names).size).toBe(names.length);
    expect(new Set(names.map((n) => n.length))).toEqual(new Set([6]));
  });

  test('the model answers what the resources say: booked slots, free slots per day, appointment links', () => {
    const slots = resources.filter((r) => r.resourceType === 'Slot') as {
      id: string;
      status: string;
      schedule: { reference: string };
      start: string;
    }[];
    const booked = slots.filter((s) => s.status === 'busy').length;
    expect(booked).toBe(dataset.size.appointments);
    const schedule = `Schedule/${dataset.scheduleId(3)}`;
    const freeOnDay2 = slots.filter(
      (s) => s.schedule.reference === schedule && s.status === 'free' && s.start.startsWith('2027-03-03'),
    ).length;
    expect(freeOnDay2).toBe(dataset.freeSlotsOn(3, 2));
    const appointment = resources.find((r) => r.id === dataset.appointmentId(42)) as { participant: { actor: { reference: string } }[] };
    expect(appointment.participant[0].actor.reference).toBe(`Patient/${dataset.patientId(dataset.appointmentPatient(42))}`);
  });
});

describe('latency percentiles', () => {
  test('nearest rank', () => {
    const sorted = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect([percentile(sorted, 0.5), percentile(sorted, 0.95), percentile(sorted, 0.99)]).toEqual([5, 10, 10]);
    expect(percentile(new Float64Array(0), 0.5)).toBe(0);
  });
});
