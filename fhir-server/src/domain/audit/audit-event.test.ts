import { parseScopes } from '../../auth/scopes';
import { buildAuditEvent, MAX_ENTITIES, restInteraction } from './audit-event';
import { RequestAudit } from './request-audit';

const doctor = {
  kind: 'user' as const,
  accountId: 'acc-1',
  role: 'doctor' as const,
  profile: 'Practitioner/d1',
  clientId: 'clinician-portal',
  scopes: parseScopes('user/*.rs'),
};

describe('REST interaction of a request (http.html#summary)', () => {
  test.each([
    ['GET', 'Patient/1', 'read'],
    ['GET', 'Patient/1/_history/2', 'vread'],
    ['GET', 'Patient/1/_history', 'history-instance'],
    ['GET', 'Patient/_history', 'history-type'],
    ['GET', '_history', 'history-system'],
    ['GET', 'Patient', 'search-type'],
    ['POST', 'Patient/_search', 'search-type'],
    ['POST', 'Patient', 'create'],
    ['PUT', 'Patient/1', 'update'],
    ['PUT', 'Patient', 'update'],
    ['PATCH', 'Patient/1', 'patch'],
    ['DELETE', 'Patient/1', 'delete'],
    ['POST', 'Patient/$validate', 'operation'],
    ['GET', 'metadata', 'capabilities'],
  ])('%s %s is %s', (method, path, expected) => {
    expect(restInteraction(method, path)).toBe(expected);
  });

  test('a Bundle at the base is a batch or a transaction', () => {
    expect(restInteraction('POST', '', 'batch')).toBe('batch');
    expect(restInteraction('POST', '', 'transaction')).toBe('transaction');
  });
});

describe('BALP AuditEvent shape (profiles.ihe.net/ITI/BALP)', () => {
  test('who, client, patients, resources, query, outcome and purpose of use', () => {
    const event = buildAuditEvent({
      principal: doctor,
      recorded: new Date('2026-11-25T10:00:00Z'),
      interaction: 'search-type',
      status: 200,
      requestId: 'r-1',
      sourceIp: '10.0.0.1',
      resources: ['Observation/o1'],
      patients: ['Patient/p1'],
      query: 'code=1234',
      careRelationship: true,
    });
    expect(event).toMatchObject({
      type: { code: 'rest' },
      subtype: [{ code: 'search-type' }],
      action: 'E',
      recorded: '2026-11-25T10:00:00.000Z',
      outcome: '0',
      purposeOfEvent: [{ coding: [{ code: 'TREAT' }] }],
      agent: [
        { requestor: true, who: { reference: 'Practitioner/d1' }, altId: 'acc-1', network: { address: '10.0.0.1', type: '2' } },
        { requestor: false, who: { identifier: { value: 'clinician-portal' } } },
      ],
    });
    expect(event.entity?.map((e) => e.what?.reference ?? e.what?.identifier?.value ?? e.query)).toEqual([
      'r-1',
      'Patient/p1',
      'Observation/o1',
      Buffer.from('code=1234').toString('base64'),
    ]);
  });

  test('a Patient among the resources is listed once, as the patient', () => {
    const event = buildAuditEvent({
      principal: doctor,
      recorded: new Date('2026-11-25T10:00:00Z'),
      interaction: 'search-type',
      status: 200,
      requestId: 'r-2',
      resources: ['Patient/p1', 'Patient/p2', 'Observation/o1'],
      patients: ['Patient/p1', 'Patient/p2'],
    });
    expect(event.entity?.map((e) => [e.what?.reference ?? e.what?.identifier?.value, e.role?.display])).toEqual([
      ['r-2', undefined],
      ['Patient/p1', 'Patient'],
      ['Patient/p2', 'Patient'],
      ['Observation/o1', 'Domain Resource'],
    ]);
  });

  test('failures map to BALP outcome codes; long lists are capped', () => {
    const base = { principal: doctor, recorded: new Date(), interaction: 'read' as const, requestId: 'r', patients: [] };
    expect(buildAuditEvent({ ...base, status: 403, resources: [] }).outcome).toBe('4');
    expect(buildAuditEvent({ ...base, status: 500, resources: [] }).outcome).toBe('8');
    const many = Array.from({ length: MAX_ENTITIES + 5 }, (_, i) => `Observation/${i}`);
    const event = buildAuditEvent({ ...base, status: 200, resources: many });
    expect(event.entity?.filter((e) => e.role?.code === '4')).toHaveLength(MAX_ENTITIES);
    expect(event.entity?.[event.entity.length - 1].description).toBe('5 more resources not listed');
  });
});

describe('RequestAudit: one event per request', () => {
  const facts = { principal: doctor, interaction: 'read' as const, requestId: 'r' };

  test('reads touching a patient are due at the end; reads of public data are not', () => {
    const touching = new RequestAudit(facts);
    touching.read([{ resourceType: 'Observation', id: 'o1', compartments: ['Patient/p1'] }]);
    expect(touching.finalEvent(200)?.patients).toEqual(['Patient/p1']);
    const publicOnly = new RequestAudit(facts);
    publicOnly.read([{ resourceType: 'Practitioner', id: 'd2', compartments: [] }]);
    expect(publicOnly.finalEvent(200)).toBeUndefined();
    expect(publicOnly.finalEvent(403)).toBeDefined();
  });

  test('a write event committed with the change is not repeated; a rolled-back one is', () => {
    const committed = new RequestAudit({ ...facts, interaction: 'update' });
    committed.wrote({ resourceType: 'Observation', id: 'o1', compartments: ['Patient/p1'] });
    expect(committed.eventForWrites()).toBeDefined();
    committed.committed();
    expect(committed.eventForWrites()).toBeUndefined();
    expect(committed.finalEvent(200)).toBeUndefined();
    const rolledBack = new RequestAudit({ ...facts, interaction: 'update' });
    rolledBack.wrote({ resourceType: 'Observation', id: 'o1', compartments: ['Patient/p1'] });
    rolledBack.eventForWrites();
    expect(rolledBack.finalEvent(409)?.event.outcome).toBe('4');
  });
});
