import type { Bundle, Resource } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { matchSet, putAll, searchBundle } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

let server: TestServer;
const keys = (bundle: Bundle) => (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort();

const appointment = (id: string, patient: string, status: 'booked' | 'proposed'): Resource & { id: string } => ({
  resourceType: 'Appointment',
  id,
  status,
  start: '2026-12-01T09:00:00Z',
  end: '2026-12-01T09:20:00Z',
  participant: [
    { actor: { reference: `Patient/${patient}` }, status: 'accepted' },
    { actor: { reference: 'Practitioner/doc' }, status: 'accepted' },
  ],
});

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, [
    { resourceType: 'Patient', id: 'pat1', name: [{ family: 'Nguyen' }] },
    { resourceType: 'Patient', id: 'pat2', name: [{ family: 'Novak' }] },
    { resourceType: 'Practitioner', id: 'doc', name: [{ family: 'Nash' }] },
    { resourceType: 'Organization', id: 'org', name: 'Northside clinic' },
    appointment('a1', 'pat1', 'booked'),
    appointment('a2', 'pat1', 'proposed'),
    appointment('a3', 'pat2', 'booked'),
    { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/pat1' } },
    { resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/pat2' } },
  ] as (Resource & { id: string })[]);
});
afterAll(() => server.close());

describe('system-level search (http.html#search: GET [base]?_type=...)', () => {
  test('_type lists the types; parameters common to them filter all', async () => {
    expect(keys(await searchBundle(server, '?_type=Patient,Practitioner&name=n'))).toEqual([
      'Patient/pat1',
      'Patient/pat2',
      'Practitioner/doc',
    ]);
    expect(keys(await searchBundle(server, '?_type=Patient,Practitioner&name=na'))).toEqual(['Practitioner/doc']);
    expect(keys(await searchBundle(server, '?_type=Patient&_id=pat2'))).toEqual(['Patient/pat2']);
  });

  test('without _type every type is searched, by the parameters all types share', async () => {
    expect(keys(await searchBundle(server, '?_id=pat1,doc,o2'))).toEqual(['Observation/o2', 'Patient/pat1', 'Practitioner/doc']);
  });

  test('pages across types follow next links without duplicates', async () => {
    const first = await searchBundle(server, '?_type=Patient,Practitioner,Organization&_count=2');
    const next = first.link?.find((l) => l.relation === 'next')?.url?.slice(server.baseUrl.length) as string;
    const second = await searchBundle(server, next.replace(/^\//, ''));
    expect([...keys(first), ...keys(second)].sort()).toEqual(['Organization/org', 'Patient/pat1', 'Patient/pat2', 'Practitioner/doc']);
  });

  test('POST [base]/_search with a form body', async () => {
    const res = await server.request
      .post('/fhir/_search')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send('_type=Patient&name=novak');
    expect(res.status).toBe(200);
    expect(keys(JSON.parse(res.text) as Bundle)).toEqual(['Patient/pat2']);
  });

  test('unknown types are a 400; a parameter a listed type lacks is ignored, or a 400 when strict', async () => {
    expectOutcome(await server.request.get('/fhir?_type=Spaceship'), 400, 'invalid');
    const lenient = await searchBundle(server, '?_type=Patient,Observation&name=nguyen');
    expect(lenient.link?.find((l) => l.relation === 'self')?.url).toBe(`${server.baseUrl}?_type=Patient%2CObservation`);
    expectOutcome(await server.request.get('/fhir?_type=Patient,Observation&name=nguyen').set('Prefer', 'handling=strict'), 400, 'invalid');
  });
});

describe('compartment search (http.html#vsearch, compartmentdefinition-patient.html)', () => {
  test('GET Patient/[id]/[type] finds only that patient’s resources, with further filters', async () => {
    expect(await matchSet(server, 'Patient/pat1/Appointment')).toEqual(['a1', 'a2']);
    expect(await matchSet(server, 'Patient/pat1/Appointment?status=booked')).toEqual(['a1']);
    expect(await matchSet(server, 'Patient/pat2/Observation')).toEqual(['o2']);
  });

  test('GET Patient/[id]/* spans every type in the compartment, the patient included', async () => {
    // The AuditEvents recording this test's reads of pat1 are in the compartment too.
    const all = keys(await searchBundle(server, 'Patient/pat1/*'));
    expect(all.filter((key) => !key.startsWith('AuditEvent/'))).toEqual([
      'Appointment/a1',
      'Appointment/a2',
      'Observation/o1',
      'Patient/pat1',
    ]);
  });

  test('types outside the compartment find nothing; other compartments are not supported', async () => {
    expect(await matchSet(server, 'Patient/pat1/Organization')).toEqual([]);
    expectOutcome(await server.request.get('/fhir/Practitioner/doc/Appointment'), 400, 'not-supported');
  });

  test('links of a compartment search repeat its path', async () => {
    const bundle = await searchBundle(server, 'Patient/pat1/Appointment?_count=1');
    expect(bundle.link?.map((l) => l.url?.split('?')[0])).toEqual([
      `${server.baseUrl}/Patient/pat1/Appointment`,
      `${server.baseUrl}/Patient/pat1/Appointment`,
    ]);
  });
});
