import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CapabilityStatement, Parameters, Patient, SearchParameter } from '@medplum/fhirtypes';
import { expectOutcome } from '../setup/matchers';
import { matchSet, putAll } from '../setup/search-client';
import { startTestServer, type TestServer } from '../setup/test-server';

const FHIR_JSON = 'application/fhir+json';
const COLOR = 'http://medbuddy.org/fhir/StructureDefinition/favorite-color';
const NICKNAME = 'http://medbuddy.org/fhir/StructureDefinition/nickname';

let server: TestServer;
let profilesDir: string;

const favoriteColor: SearchParameter = {
  resourceType: 'SearchParameter',
  id: 'patient-favorite-color',
  url: 'http://medbuddy.org/fhir/SearchParameter/patient-favorite-color',
  name: 'favorite-color',
  status: 'active',
  description: 'A patient’s favourite colour',
  code: 'favorite-color',
  base: ['Patient'],
  type: 'token',
  expression: `Patient.extension.where(url='${COLOR}').value`,
};

const patient = (id: string, color?: string, nickname?: string): Patient & { id: string } => ({
  resourceType: 'Patient',
  id,
  extension: [...(color ? [{ url: COLOR, valueCode: color }] : []), ...(nickname ? [{ url: NICKNAME, valueString: nickname }] : [])],
});

async function declaredParams(type: string): Promise<string[]> {
  const statement = JSON.parse((await server.request.get('/fhir/metadata')).text) as CapabilityStatement;
  return (statement.rest?.[0].resource?.find((r) => r.type === type)?.searchParam ?? []).map((p) => p.name as string);
}

/** Polls a search until it returns the expected ids (the reindex job runs in the background). */
async function eventually(query: string, expected: string[]): Promise<string[]> {
  let found: string[] = [];
  for (let attempt = 0; attempt < 100; attempt++) {
    found = await matchSet(server, query);
    if (JSON.stringify(found) === JSON.stringify(expected)) {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return found;
}

beforeAll(async () => {
  profilesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'medbuddy-profiles-'));
  fs.writeFileSync(
    path.join(profilesDir, 'SearchParameter-patient-nickname.json'),
    JSON.stringify({
      resourceType: 'SearchParameter',
      id: 'patient-nickname',
      url: 'http://medbuddy.org/fhir/SearchParameter/patient-nickname',
      name: 'nickname',
      status: 'active',
      description: 'The name a patient likes to be called',
      code: 'nickname',
      base: ['Patient'],
      type: 'string',
      expression: `Patient.extension('${NICKNAME}').value`,
    }),
  );
  fs.writeFileSync(path.join(profilesDir, 'StructureDefinition-ignored.json'), '{}');
  server = await startTestServer({ PROFILES_DIR: profilesDir });
  await putAll(server, [patient('red1', 'red', 'Bobby'), patient('blue1', 'blue'), patient('plain')]);
});
afterAll(async () => {
  await server.close();
  fs.rmSync(profilesDir, { recursive: true, force: true });
});

describe('SearchParameters from the profiles package (searchparameter.html)', () => {
  test('SearchParameter-*.json files of profiles/ are searchable and declared', async () => {
    expect(await matchSet(server, 'Patient?nickname=bob')).toEqual(['red1']);
    expect(await declaredParams('Patient')).toContain('nickname');
  });
});

describe('SearchParameters created through the API take effect at runtime (searchparameter.html)', () => {
  test('before it exists the parameter is unknown; after, existing resources are reindexed and new ones indexed', async () => {
    expectOutcome(await server.request.get('/fhir/Patient?favorite-color=red').set('Prefer', 'handling=strict'), 400, 'invalid');
    const created = await server.request
      .put(`/fhir/SearchParameter/${favoriteColor.id}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(favoriteColor));
    expect(created.status).toBe(201);
    expect(await declaredParams('Patient')).toContain('favorite-color');
    expect(await eventually('Patient?favorite-color=red', ['red1'])).toEqual(['red1']);
    await putAll(server, [patient('red2', 'red')]);
    expect(await matchSet(server, 'Patient?favorite-color=red')).toEqual(['red1', 'red2']);
    expect(await matchSet(server, 'Patient?favorite-color:missing=true')).toEqual(['plain']);
  });

  test('$reindex on the SearchParameter reindexes its base types and reports completion', async () => {
    const res = await server.request.post(`/fhir/SearchParameter/${favoriteColor.id}/$reindex`).set('Content-Type', FHIR_JSON).send('{}');
    expect(res.status).toBe(200);
    const parameters = JSON.parse(res.text) as Parameters;
    expect(parameters.parameter?.find((p) => p.name === 'status')?.valueCode).toBe('completed');
    expect(parameters.parameter?.find((p) => p.name === 'processed')?.valueInteger).toBe(4);
    const system = await server.request.post('/fhir/$reindex?type=Patient').set('Content-Type', FHIR_JSON).send('{}');
    expect(JSON.parse(system.text).parameter).toEqual(expect.arrayContaining([{ name: 'status', valueCode: 'completed' }]));
    expectOutcome(await server.request.post('/fhir/$reindex?type=Spaceship').set('Content-Type', FHIR_JSON).send('{}'), 400, 'invalid');
    const patient = await server.actAsPatient();
    expectOutcome(await patient.agent.post('/fhir/$reindex').set('Content-Type', FHIR_JSON).send('{}'), 403, 'forbidden');
  });

  test('changing the expression reindexes with the new one', async () => {
    const changed = { ...favoriteColor, expression: `Patient.extension.where(url='${NICKNAME}').value` };
    await server.request.put(`/fhir/SearchParameter/${favoriteColor.id}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(changed));
    expect(await eventually('Patient?favorite-color=Bobby', ['red1'])).toEqual(['red1']);
    expect(await matchSet(server, 'Patient?favorite-color=red')).toEqual([]);
  });

  test('deleting it removes the parameter again', async () => {
    expect((await server.request.delete(`/fhir/SearchParameter/${favoriteColor.id}`)).status).toBe(204);
    expectOutcome(await server.request.get('/fhir/Patient?favorite-color=red').set('Prefer', 'handling=strict'), 400, 'invalid');
    expect(await declaredParams('Patient')).not.toContain('favorite-color');
  });

  test('a SearchParameter the server could not use is refused at write time', async () => {
    const bad = { ...favoriteColor, id: 'bad', code: 'has space', expression: 'Patient.name.where(' };
    const outcome = expectOutcome(
      await server.request.put('/fhir/SearchParameter/bad').set('Content-Type', FHIR_JSON).send(JSON.stringify(bad)),
      400,
      'value',
    );
    expect(outcome.issue?.map((i) => i.diagnostics)).toEqual([
      expect.stringContaining('code must start with a letter'),
      expect.stringContaining('expression does not parse'),
    ]);
  });
});
