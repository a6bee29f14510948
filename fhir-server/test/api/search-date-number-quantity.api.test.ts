import type { Encounter, Observation, Patient, RiskAssessment } from '@medplum/fhirtypes';
import { matchSet, putAll } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

let server: TestServer;
const ids = (query: string) => matchSet(server, query);

const born = (id: string, birthDate?: string): Patient & { id: string } => ({ resourceType: 'Patient', id, birthDate });
const encounter = (id: string, period?: Encounter['period']): Encounter & { id: string } => ({
  resourceType: 'Encounter',
  id,
  status: 'finished',
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
  period,
});
const risk = (id: string, probability?: number): RiskAssessment & { id: string } => ({
  resourceType: 'RiskAssessment',
  id,
  status: 'final',
  subject: { reference: 'Patient/y1970' },
  prediction: probability === undefined ? undefined : [{ probabilityDecimal: probability }],
});
const observation = (id: string, value: Partial<Observation>): Observation & { id: string } => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { text: 'measurement' },
  ...value,
});
const UCUM = 'http://unitsofmeasure.org';

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, [
    born('y1970', '1970'),
    born('m1970-06', '1970-06'),
    born('d1970-06-15', '1970-06-15'),
    born('d1980-01-01', '1980-01-01'),
    born('d1969-12-31', '1969-12-31'),
    born('nobirth'),
    encounter('e1', { start: '2026-03-01T09:00:00Z', end: '2026-03-01T09:30:00Z' }),
    encounter('e2', { start: '2026-03-01T23:30:00-05:00', end: '2026-03-02T00:30:00-05:00' }),
    encounter('e3', { start: '2026-02-20T10:00:00Z' }),
    encounter('e4'),
    risk('r1', 0.25),
    risk('r2', 0.5),
    risk('r3', 100),
    risk('r4', 99.6),
    risk('r5'),
    observation('o1', { valueQuantity: { value: 5, unit: 'mg', system: UCUM, code: 'mg' } }),
    observation('o2', { valueQuantity: { value: 0.5, unit: 'g', system: UCUM, code: 'g' } }),
    observation('o3', { valueQuantity: { value: 120, unit: 'mmHg', system: UCUM, code: 'mm[Hg]' } }),
    observation('o4', { valueQuantity: { value: 5, unit: 'tablets' } }),
    observation('o5', { valueQuantity: { value: 7, system: 'http://acme.org/units', code: 'tab' } }),
    observation('o6', { valueString: 'none' }),
  ]);
});
afterAll(() => server.close());

describe('date parameters: a date is a range set by its precision (search.html#date, #prefix)', () => {
  test('eq: the search range contains the whole target range', async () => {
    expect(await ids('Patient?birthdate=1970')).toEqual(['d1970-06-15', 'm1970-06', 'y1970']);
    expect(await ids('Patient?birthdate=eq1970-06')).toEqual(['d1970-06-15', 'm1970-06']);
    expect(await ids('Patient?birthdate=1970-06-15')).toEqual(['d1970-06-15']);
  });

  test('ne: the search range does not contain the target range', async () => {
    expect(await ids('Patient?birthdate=ne1970-06')).toEqual(['d1969-12-31', 'd1980-01-01', 'y1970']);
  });

  test('gt / lt: the target range reaches above / below the search range', async () => {
    expect(await ids('Patient?birthdate=gt1970-06')).toEqual(['d1980-01-01', 'y1970']);
    expect(await ids('Patient?birthdate=lt1970-06')).toEqual(['d1969-12-31', 'y1970']);
  });

  test('ge / le: gt or lt, or eq', async () => {
    expect(await ids('Patient?birthdate=ge1970-06')).toEqual(['d1970-06-15', 'd1980-01-01', 'm1970-06', 'y1970']);
    expect(await ids('Patient?birthdate=le1970-06')).toEqual(['d1969-12-31', 'd1970-06-15', 'm1970-06', 'y1970']);
  });

  test('sa / eb: the target range starts after / ends before the search range', async () => {
    expect(await ids('Patient?birthdate=sa1970-06')).toEqual(['d1980-01-01']);
    expect(await ids('Patient?birthdate=eb1970-06')).toEqual(['d1969-12-31']);
  });

  test('ap: overlaps the search range widened by 10% of its distance from now', async () => {
    expect(await ids('Patient?birthdate=ap1980-01-01')).toEqual(['d1980-01-01']);
    expect(await ids('Patient?birthdate=ap1971')).toEqual(['d1969-12-31', 'd1970-06-15', 'm1970-06', 'y1970']);
  });

  test('two bounds on one parameter both apply (AND); the year 1970 reaches into both', async () => {
    expect(await ids('Patient?birthdate=ge1970-01-01&birthdate=lt1970-07-01')).toEqual(['d1970-06-15', 'm1970-06', 'y1970']);
    expect(await ids('Patient?birthdate=ge1970-06-10&birthdate=le1970-06-20')).toEqual(['d1970-06-15', 'm1970-06', 'y1970']);
    expect(await ids('Patient?birthdate=sa1969-12-31&birthdate=eb1971')).toEqual(['d1970-06-15', 'm1970-06', 'y1970']);
  });

  test('Periods: time zones are honoured, an open end reaches the future', async () => {
    expect(await ids('Encounter?date=2026-03-01')).toEqual(['e1']);
    expect(await ids('Encounter?date=2026-03-02')).toEqual(['e2']);
    expect(await ids('Encounter?date=2026-03')).toEqual(['e1', 'e2']);
    expect(await ids('Encounter?date=gt2026-03-01T09:15:00Z')).toEqual(['e1', 'e2', 'e3']);
    expect(await ids('Encounter?date=lt2026-03-01')).toEqual(['e3']);
    expect(await ids('Encounter?date=sa2026-03-01')).toEqual(['e2']);
    expect(await ids('Encounter?date=eb2026-03-02')).toEqual(['e1']);
    expect(await ids('Encounter?date=ge2026-03-03')).toEqual(['e3']);
    expect(await ids('Encounter?date=ge2026-03-01T23:30:00-05:00')).toEqual(['e2', 'e3']);
    expect(await ids('Encounter?date:missing=true')).toEqual(['e4']);
  });

  test('_lastUpdated compares the instant each resource was stored (search.html#lastUpdated)', async () => {
    await new Promise((resolve) => setTimeout(resolve, 20));
    const before = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 20));
    await putAll(server, [encounter('late', { start: '2026-04-01' })]);
    const after = new Date(Date.now() + 2000).toISOString();
    expect(await ids(`Encounter?_lastUpdated=gt${before}`)).toEqual(['late']);
    expect(await ids(`Encounter?_lastUpdated=lt${before}`)).toEqual(['e1', 'e2', 'e3', 'e4']);
    expect(await ids(`Encounter?_lastUpdated=ge${after}`)).toEqual([]);
  });
});

describe('number parameters: the precision of the value sets the range (search.html#number)', () => {
  test('eq within half a unit of the last digit given', async () => {
    expect(await ids('RiskAssessment?probability=0.25')).toEqual(['r1']);
    expect(await ids('RiskAssessment?probability=100')).toEqual(['r3', 'r4']);
    expect(await ids('RiskAssessment?probability=100.0')).toEqual(['r3']);
    expect(await ids('RiskAssessment?probability=1e2')).toEqual(['r3', 'r4']);
  });

  test('ordered prefixes compare with the value; ne and ap', async () => {
    expect(await ids('RiskAssessment?probability=gt0.5')).toEqual(['r3', 'r4']);
    expect(await ids('RiskAssessment?probability=ge0.5')).toEqual(['r2', 'r3', 'r4']);
    expect(await ids('RiskAssessment?probability=lt0.5')).toEqual(['r1']);
    expect(await ids('RiskAssessment?probability=le0.25')).toEqual(['r1']);
    expect(await ids('RiskAssessment?probability=ne100')).toEqual(['r1', 'r2']);
    expect(await ids('RiskAssessment?probability=ap100')).toEqual(['r3', 'r4']);
    expect(await ids('RiskAssessment?probability:missing=true')).toEqual(['r5']);
  });
});

describe('quantity parameters (search.html#quantity)', () => {
  test('a bare number matches any unit', async () => {
    expect(await ids('Observation?value-quantity=5')).toEqual(['o1', 'o4']);
  });

  test('number|system|code, compared in canonical UCUM units when they convert', async () => {
    expect(await ids(`Observation?value-quantity=5|${UCUM}|mg`)).toEqual(['o1']);
    expect(await ids(`Observation?value-quantity=500|${UCUM}|mg`)).toEqual(['o2']);
    expect(await ids(`Observation?value-quantity=0.005|${UCUM}|g`)).toEqual(['o1']);
    expect(await ids(`Observation?value-quantity=lt200|${UCUM}|mm[Hg]`)).toEqual(['o3']);
    expect(await ids(`Observation?value-quantity=gt200|${UCUM}|mm[Hg]`)).toEqual([]);
  });

  test('number||code matches the code or the unit as written', async () => {
    expect(await ids('Observation?value-quantity=gt1||mg')).toEqual(['o1', 'o2']);
    expect(await ids('Observation?value-quantity=5||tablets')).toEqual(['o4']);
    expect(await ids('Observation?value-quantity=7|http://acme.org/units|tab')).toEqual(['o5']);
    expect(await ids('Observation?value-quantity=7|http://other.org/units|tab')).toEqual([]);
  });

  test(':missing', async () => {
    expect(await ids('Observation?value-quantity:missing=true')).toEqual(['o6']);
  });
});
