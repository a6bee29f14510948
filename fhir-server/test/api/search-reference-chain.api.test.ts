import type { CapabilityStatement, Resource } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { matchIds, matchSet, putAll } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

let server: TestServer;
const ids = (query: string) => matchSet(server, query);
const LOINC = 'http://loinc.org';

const participant = (reference: string) => ({ actor: { reference }, status: 'accepted' as const });
const bloodPressure = (value: number) => ({ value, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });

const fixtures = [
  { resourceType: 'Practitioner', id: 'house', name: [{ family: 'House' }], identifier: [{ system: 'urn:npi', value: '111' }] },
  { resourceType: 'Practitioner', id: 'wilson', name: [{ family: 'Wilson' }] },
  { resourceType: 'Organization', id: 'ppth', name: 'Princeton-Plainsboro' },
  {
    resourceType: 'PractitionerRole',
    id: 'house-role',
    practitioner: { reference: 'Practitioner/house' },
    organization: { reference: 'Organization/ppth' },
    specialty: [{ coding: [{ system: 'http://snomed.info/sct', code: '394814009', display: 'General practice' }] }],
  },
  {
    resourceType: 'Patient',
    id: 'pat1',
    name: [{ family: 'Smith' }],
    generalPractitioner: [{ reference: 'Practitioner/house' }],
    managingOrganization: { reference: 'Organization/ppth' },
  },
  { resourceType: 'Patient', id: 'pat2', name: [{ family: 'Jones' }], generalPractitioner: [{ reference: 'Practitioner/wilson' }] },
  { resourceType: 'Patient', id: 'pat3', name: [{ family: 'Smith' }] },
  { resourceType: 'Patient', id: 'pat4', name: [{ family: 'Brown' }], link: [{ other: { reference: 'Patient/pat1' }, type: 'seealso' }] },
  {
    resourceType: 'Appointment',
    id: 'ap1',
    status: 'booked',
    start: '2026-12-01T09:00:00Z',
    end: '2026-12-01T09:20:00Z',
    participant: [participant('Patient/pat1'), participant('Practitioner/house')],
  },
  {
    resourceType: 'Appointment',
    id: 'ap2',
    status: 'proposed',
    participant: [participant('Patient/pat2'), participant('Practitioner/wilson')],
  },
  {
    resourceType: 'Appointment',
    id: 'ap3',
    status: 'booked',
    start: '2026-12-02T09:00:00Z',
    end: '2026-12-02T09:20:00Z',
    participant: [participant('http://medbuddy.test/fhir/Patient/pat3'), participant('http://elsewhere.org/fhir/Practitioner/x')],
  },
  {
    resourceType: 'Appointment',
    id: 'ap4',
    status: 'cancelled',
    participant: [{ type: [{ text: 'interpreter' }], status: 'declined' }],
  },
  {
    resourceType: 'Observation',
    id: 'obs1',
    status: 'final',
    subject: { reference: 'Patient/pat1' },
    code: { coding: [{ system: LOINC, code: '8480-6' }] },
    valueQuantity: bloodPressure(130),
  },
  {
    resourceType: 'Observation',
    id: 'obs2',
    status: 'final',
    subject: { reference: 'Patient/pat2' },
    code: { coding: [{ system: LOINC, code: '8480-6' }] },
    valueQuantity: bloodPressure(110),
  },
  {
    resourceType: 'Observation',
    id: 'obs3',
    status: 'final',
    subject: { reference: 'Patient/pat3' },
    code: { coding: [{ system: LOINC, code: '85354-9' }] },
    component: [
      { code: { coding: [{ system: LOINC, code: '8480-6' }] }, valueQuantity: bloodPressure(150) },
      { code: { coding: [{ system: LOINC, code: '8462-4' }] }, valueQuantity: bloodPressure(90) },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'obs4',
    status: 'final',
    subject: { identifier: { system: 'urn:mrn', value: 'X-1' }, display: 'A patient known elsewhere' },
    code: { text: 'outside' },
  },
  {
    resourceType: 'AuditEvent',
    id: 'audit1',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110' },
    recorded: '2026-01-01T00:00:00Z',
    agent: [{ who: { reference: 'Practitioner/house' }, requestor: true }],
    source: { observer: { reference: 'Practitioner/house' } },
    entity: [{ what: { reference: 'Observation/obs1' } }],
  },
  {
    resourceType: 'DocumentReference',
    id: 'doc0',
    status: 'superseded',
    subject: { reference: 'Patient/pat1' },
    content: [{ attachment: { url: 'http://files.medbuddy.test/other/b.pdf' } }],
  },
  {
    resourceType: 'DocumentReference',
    id: 'doc1',
    status: 'current',
    subject: { reference: 'Patient/pat1' },
    relatesTo: [{ code: 'replaces', target: { reference: 'DocumentReference/doc0' } }],
    content: [{ attachment: { url: 'http://files.medbuddy.test/docs/a.pdf' } }],
  },
  {
    resourceType: 'List',
    id: 'watch',
    status: 'current',
    mode: 'working',
    entry: [{ item: { reference: 'Patient/pat1' } }, { item: { reference: 'Patient/pat3' } }, { item: { reference: 'Observation/obs2' } }],
  },
  {
    resourceType: 'List',
    id: 'followup',
    status: 'current',
    mode: 'changes',
    entry: [
      { item: { reference: 'Patient/pat2' }, deleted: false },
      { item: { reference: 'Patient/pat4' }, deleted: true },
    ],
  },
  { resourceType: 'List', id: 'retired', status: 'retired', mode: 'working', entry: [{ item: { reference: 'Patient/pat4' } }] },
  {
    resourceType: 'QuestionnaireResponse',
    id: 'qr1',
    status: 'completed',
    questionnaire: 'http://medbuddy.org/Questionnaire/intake|2',
  },
  {
    resourceType: 'QuestionnaireResponse',
    id: 'qr2',
    status: 'completed',
    questionnaire: 'http://medbuddy.test/fhir/Questionnaire/local|3',
  },
] as (Resource & { id: string })[];

beforeAll(async () => {
  server = await startTestServer();
  await putAll(server, fixtures);
});
afterAll(() => server.close());

describe('reference parameters (search.html#reference)', () => {
  test('Type/id, a bare id, and the :Type modifier', async () => {
    expect(await ids('Appointment?actor=Patient/pat1')).toEqual(['ap1']);
    expect(await ids('Appointment?actor=pat1')).toEqual(['ap1']);
    expect(await ids('Appointment?actor:Patient=pat1')).toEqual(['ap1']);
    expect(await ids('Appointment?actor:Practitioner=pat1')).toEqual([]);
    expect(await ids('Patient?general-practitioner=Practitioner/house,Practitioner/wilson')).toEqual(['pat1', 'pat2']);
  });

  test('absolute URLs of this server are local references, on either side; versions are ignored', async () => {
    expect(await ids('Appointment?patient=http://medbuddy.test/fhir/Patient/pat3')).toEqual(['ap3']);
    expect(await ids('Appointment?patient=Patient/pat3')).toEqual(['ap3']);
    expect(await ids('Appointment?actor=http://medbuddy.test/fhir/Patient/pat1')).toEqual(['ap1']);
    expect(await ids('Appointment?actor=Patient/pat1/_history/1')).toEqual(['ap1']);
  });

  test('_sort by a reference orders by the reference as stored (Type/id, or the URL), resources without one last', async () => {
    expect(await matchIds(server, 'Appointment?_sort=patient')).toEqual(['ap1', 'ap2', 'ap3', 'ap4']);
    expect(await matchIds(server, 'Appointment?_sort=-practitioner')).toEqual(['ap3', 'ap2', 'ap1', 'ap4']);
  });

  test('references to other servers and canonicals match by URL (a canonical without its |version)', async () => {
    expect(await ids('Appointment?practitioner=http://elsewhere.org/fhir/Practitioner/x')).toEqual(['ap3']);
    expect(await ids('QuestionnaireResponse?questionnaire=http://medbuddy.org/Questionnaire/intake')).toEqual(['qr1']);
    expect(await ids('QuestionnaireResponse?questionnaire=http://medbuddy.org/Questionnaire/intake|2')).toEqual(['qr1']);
    // A canonical of this server is a local reference: found by its target, with or without |version.
    expect(await ids('QuestionnaireResponse?questionnaire=http://medbuddy.test/fhir/Questionnaire/local|3')).toEqual(['qr2']);
    expect(await ids('QuestionnaireResponse?questionnaire=Questionnaire/local')).toEqual(['qr2']);
  });

  test(':identifier matches the identifier of a reference (search.html#modifiers)', async () => {
    expect(await ids('Observation?subject:identifier=urn:mrn|X-1')).toEqual(['obs4']);
    expect(await ids('Observation?subject:identifier=X-1')).toEqual(['obs4']);
    expect(await ids('Observation?subject:identifier=urn:other|X-1')).toEqual([]);
  });

  test(':missing', async () => {
    expect(await ids('Appointment?actor:missing=true')).toEqual(['ap4']);
    expect(await ids('Patient?general-practitioner:missing=false')).toEqual(['pat1', 'pat2']);
  });
});

describe('chaining (search.html#chaining)', () => {
  test('one level, with and without the target type', async () => {
    expect(await ids('Appointment?patient.family=smith')).toEqual(['ap1', 'ap3']);
    expect(await ids('Appointment?patient:Patient.family=jones')).toEqual(['ap2']);
    expect(await ids('Appointment?actor.family=house')).toEqual(['ap1']);
    expect(await ids('Observation?subject:Patient.name=jones')).toEqual(['obs2']);
  });

  test('several levels, and chains on several parameters', async () => {
    expect(await ids('Appointment?patient.general-practitioner:Practitioner.name=house')).toEqual(['ap1']);
    expect(await ids('Appointment?patient.general-practitioner.identifier=urn:npi|111')).toEqual(['ap1']);
    expect(await ids('PractitionerRole?practitioner.name=house&organization.name=princeton')).toEqual(['house-role']);
    expect(await ids('PractitionerRole?practitioner.name=wilson&organization.name=princeton')).toEqual([]);
  });

  test('a chained :missing and :not apply to the referenced resource', async () => {
    expect(await ids('Appointment?patient.general-practitioner:missing=true')).toEqual(['ap3']);
    expect(await ids('Patient?link:Patient.gender:not=male')).toEqual(['pat4']);
    expect(await ids('Patient?link:Patient.gender:missing=false')).toEqual([]);
  });
});

describe('reverse chaining with _has (search.html#has)', () => {
  test('resources referred to by a matching resource', async () => {
    expect(await ids('Patient?_has:Appointment:patient:status=booked')).toEqual(['pat1', 'pat3']);
    expect(await ids('Patient?_has:Observation:subject:code=8480-6')).toEqual(['pat1', 'pat2']);
    expect(await ids('Practitioner?_has:PractitionerRole:practitioner:specialty=394814009')).toEqual(['house']);
    expect(await ids('Patient?_has:Appointment:patient:status=cancelled')).toEqual([]);
  });

  test('nested _has', async () => {
    expect(await ids('Patient?_has:Observation:subject:_has:AuditEvent:entity:agent=Practitioner/house')).toEqual(['pat1']);
  });
});

describe('_list (search.html#list)', () => {
  test('the items of a List of the type searched; several lists are alternatives', async () => {
    expect(await ids('Patient?_list=watch')).toEqual(['pat1', 'pat3']);
    expect(await ids('Observation?_list=watch')).toEqual(['obs2']);
    expect(await ids('Patient?_list=watch,followup')).toEqual(['pat1', 'pat2', 'pat3']);
    expect(await ids('Patient?_list=watch&_list=followup')).toEqual([]);
    expect(await ids('Patient?_list=watch&family=Smith&_id=pat3')).toEqual(['pat3']);
    expect(await ids('Practitioner?_list=watch')).toEqual([]);
    expect(await ids('Patient?_list=nowhere')).toEqual([]);
  });

  test('works at system level and is declared for all types in the CapabilityStatement', async () => {
    expect(await ids('?_list=watch&_type=Patient,Observation')).toEqual(['obs2', 'pat1', 'pat3']);
    const statement = JSON.parse((await server.request.get('/fhir/metadata').expect(200)).text) as CapabilityStatement;
    expect(statement.rest?.[0].searchParam).toContainEqual(expect.objectContaining({ name: '_list', type: 'special' }));
  });

  test('an entry flagged deleted was taken off the list (List.entry.deleted)', async () => {
    expect(await ids('Patient?_list=followup')).toEqual(['pat2']);
    expect(await ids('Patient?_has:List:item:_id=followup')).toEqual(['pat2', 'pat4']);
  });

  test('a deleted List lists nothing', async () => {
    expect(await ids('Patient?_list=retired')).toEqual(['pat4']);
    await server.request.delete('/fhir/List/retired').expect(204);
    expect(await ids('Patient?_list=retired')).toEqual([]);
  });

  test('functional lists ($current-problems) and an empty _list are refused, not ignored', async () => {
    const res = await server.request.get('/fhir/Condition?patient=pat1&_list=$current-problems');
    expect(expectOutcome(res, 400, 'not-supported').issue?.[0].diagnostics).toContain('functional lists');
    expect(expectOutcome(await server.request.get('/fhir/Patient?_list='), 400, 'invalid').issue?.[0].diagnostics).toBe(
      '_list has no value',
    );
  });
});

describe('uri parameters (search.html#uri)', () => {
  test('exact by default; :below finds uris under the value, :above uris the value is under', async () => {
    expect(await ids('DocumentReference?location=http://files.medbuddy.test/docs/a.pdf')).toEqual(['doc1']);
    expect(await ids('DocumentReference?location=http://files.medbuddy.test/docs')).toEqual([]);
    expect(await ids('DocumentReference?location:below=http://files.medbuddy.test/docs')).toEqual(['doc1']);
    expect(await ids('DocumentReference?location:below=http://files.medbuddy.test')).toEqual(['doc0', 'doc1']);
    expect(await ids('DocumentReference?location:above=http://files.medbuddy.test/docs/a.pdf/page1')).toEqual(['doc1']);
  });
});

describe('composite parameters (search.html#composite)', () => {
  test('both components must match within the same element', async () => {
    expect(await ids(`Observation?code-value-quantity=${LOINC}|8480-6$gt120`)).toEqual(['obs1']);
    expect(await ids('Observation?code-value-quantity=8480-6$lt120')).toEqual(['obs2']);
    expect(await ids(`Observation?component-code-value-quantity=${LOINC}|8480-6$gt140`)).toEqual(['obs3']);
    expect(await ids('Observation?component-code-value-quantity=8462-4$gt140')).toEqual([]);
    expect(await ids('Observation?combo-code-value-quantity=8480-6$150')).toEqual(['obs3']);
  });

  test('DocumentReference relationship: relation $ target', async () => {
    expect(await ids('DocumentReference?relationship=replaces$DocumentReference/doc0')).toEqual(['doc1']);
    expect(await ids('DocumentReference?relationship=appends$DocumentReference/doc0')).toEqual([]);
  });
});
