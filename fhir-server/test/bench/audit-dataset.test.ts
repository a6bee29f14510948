import { validateResource } from '@medplum/core';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditDataset, INTERACTIONS } from '../../bench/audit-dataset';
import { loadFhirDefinitions } from '../../src/definitions';

beforeAll(() => loadFhirDefinitions());

/** The audit benchmark checks the server's answers against this model, so the model must say what the events say. */
describe('benchmark audit trail generator', () => {
  const data = new AuditDataset({ events: 3_000, practitioners: 10, patientUsers: 20, patients: 200, days: 90 });
  const events = [...data.events()];

  test('valid R4 AuditEvents with unique, deterministic ids, recorded in order over the 90 days', () => {
    const invalid: string[] = [];
    for (const { event } of events.slice(0, 300)) {
      try {
        validateResource(event);
      } catch (error) {
        invalid.push(JSON.stringify((error as { outcome?: unknown }).outcome));
      }
    }
    expect(invalid).toEqual([]);
    expect(new Set(events.map((e) => e.event.id)).size).toBe(events.length);
    expect(data.event(17).event.id).toBe(events[17].event.id);
    const recorded = events.map((e) => Date.parse(e.event.recorded as string));
    expect(recorded.every((t, n) => n === 0 || recorded[n - 1] < t)).toBe(true);
    expect(events[0].event.recorded).toBe(`${data.day(0)}T00:00:00.000Z`);
    expect(recorded[recorded.length - 1]).toBeLessThan(Date.parse(`${data.day(90)}T00:00:00Z`));
  });

  test('the model arrays match each event: agent, patient, subtype, outcome', () => {
    const mismatches = events.filter(({ event, patients }, n) => {
      const who = event.agent?.[0]?.who?.reference;
      const patient = data.patientOf[n] >= 0 ? [`Patient/${data.patientId(data.patientOf[n])}`] : [];
      const outcome = String(data.outcomeOf[n]);
      return (
        who !== data.userReference(data.userOf[n]) ||
        JSON.stringify(patients) !== JSON.stringify(patient) ||
        event.subtype?.[0]?.code !== INTERACTIONS[data.interactionOf[n]] ||
        event.outcome !== (outcome as AuditEvent['outcome'])
      );
    });
    expect(mismatches).toEqual([]);
  });

  test('the usual mix: mostly reads, about 3% failures, both doctors and patients acting', () => {
    const share = (count: number): number => count / events.length;
    expect(share(data.interactionOf.filter((i) => i === 0).length)).toBeGreaterThan(0.45);
    expect(share(data.outcomeOf.filter((o) => o !== 0).length)).toBeGreaterThan(0.015);
    expect(share(data.outcomeOf.filter((o) => o !== 0).length)).toBeLessThan(0.05);
    const doctors = data.userOf.filter((u) => u < data.size.practitioners).length;
    expect(share(doctors)).toBeGreaterThan(0.5);
    expect(share(doctors)).toBeLessThan(0.7);
  });

  test('eventRange covers whole UTC days; newest pages from the newest end', () => {
    const [first, last] = data.eventRange(data.day(10), data.day(16));
    expect(data.recordedMs(first)).toBeGreaterThanOrEqual(Date.parse(`${data.day(10)}T00:00:00Z`));
    expect(data.recordedMs(first - 1)).toBeLessThan(Date.parse(`${data.day(10)}T00:00:00Z`));
    expect(data.recordedMs(last)).toBeLessThan(Date.parse(`${data.day(17)}T00:00:00Z`));
    expect(data.recordedMs(last + 1)).toBeGreaterThanOrEqual(Date.parse(`${data.day(17)}T00:00:00Z`));
    expect(data.newest(first, last, () => true, 2, 3)).toEqual([last - 2, last - 3, last - 4]);
    expect(data.newest(first, last, (n) => n % 2 === 0, 0, 2).every((n) => n % 2 === 0)).toBe(true);
  });
});
