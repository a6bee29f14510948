import type { AuditEvent } from '@medplum/fhirtypes';
import { allPages as allPagesOf } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Sorting by a parameter that holds one instant per resource (AuditEvent `date`, i.e.
 * `recorded`) with a date range on it: the server bounds its walk of the date index by the
 * range, and the pages must be exactly those of the range, in order, with nothing skipped or
 * repeated, as they are without the bound.
 */
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  // Every read leaves an AuditEvent (stored from a buffer within a second); spread them over time a little.
  const patient = await server.request.post('/fhir/Patient').send({ resourceType: 'Patient' }).expect(201);
  for (let i = 0; i < 30; i++) {
    await server.request.get(`/fhir/Patient/${patient.body.id}`).expect(200);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (let waited = 0; (await allPages('AuditEvent?_count=1000')).length < 31 && waited < 10_000; waited += 200) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
});
afterAll(() => server.close());

/** Every resource of a search, through its next links. */
const allPages = async (first: string) => (await allPagesOf(server, first)) as AuditEvent[];

test.each([
  ['newest first', '-date'],
  ['oldest first', 'date'],
])('a date range with _sort=%s pages through exactly the events of the range', async (_, sort) => {
  const everything = await allPages(`AuditEvent?_sort=${sort}&_count=1000`);
  expect(everything.length).toBeGreaterThan(30);
  const instants = everything.map((event) => event.recorded as string);
  const from = instants[Math.floor(instants.length / 4)];
  const to = instants[Math.floor((instants.length * 3) / 4)];
  const [low, high] = from < to ? [from, to] : [to, from];
  const expected = everything.filter((event) => (event.recorded as string) >= low && (event.recorded as string) <= high).map((e) => e.id);
  expect(expected.length).toBeGreaterThan(5);

  const q = encodeURIComponent;
  const paged = await allPages(`AuditEvent?date=ge${q(low)}&date=le${q(high)}&_sort=${sort}&_count=3`);
  expect(paged.map((event) => event.id)).toEqual(expected);

  // Exclusive bounds (gt, lt) leave out the events at the ends.
  const inner = await allPages(`AuditEvent?date=gt${q(low)}&date=lt${q(high)}&_sort=${sort}&_count=4`);
  expect(inner.map((event) => event.id)).toEqual(
    everything.filter((event) => (event.recorded as string) > low && (event.recorded as string) < high).map((e) => e.id),
  );
});

test('the bound of the walk never drops a match: an instant stored to the second against a search to the millisecond', async () => {
  // Appointment.start (`date`) holds one instant: 09:00:00Z covers 09:00:00.000-09:00:00.999.
  const stored = await server.request
    .post('/fhir/Appointment')
    .send({
      resourceType: 'Appointment',
      status: 'booked',
      start: '2031-01-01T09:00:00Z',
      end: '2031-01-01T09:20:00Z',
      participant: [{ status: 'accepted', actor: { display: 'x' } }],
    })
    .expect(201);
  const id = stored.body.id as string;
  const q = encodeURIComponent;
  for (const filter of [
    'gt2031-01-01T09:00:00.500Z',
    'ge2031-01-01T09:00:00.500Z',
    'lt2031-01-01T09:00:00.500Z',
    'le2031-01-01T09:00:00.500Z',
  ]) {
    const unsorted = (await allPages(`Appointment?date=${q(filter)}&_count=1000`)).some((a) => a.id === id);
    for (const sort of ['date', '-date']) {
      const sorted = (await allPages(`Appointment?date=${q(filter)}&_sort=${sort}&_count=1000`)).some((a) => a.id === id);
      expect([filter, sort, sorted]).toEqual([filter, sort, unsorted]);
    }
  }
});
