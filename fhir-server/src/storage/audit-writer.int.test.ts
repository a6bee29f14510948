import type { AuditEvent } from '@medplum/fhirtypes';
import { openThrowawayDatabase } from '../../test/setup/test-database';
import { FULL_ACCESS } from '../auth/access-context';
import { loadFhirDefinitions } from '../definitions';
import type { StorableAuditEvent } from './audit-sql';
import { AuditWriter } from './audit-writer';
import { PgRepository } from './pg-repository';

/** The buffer behind the AuditEvents of reads and searches (audit-writer.ts), on a real database. */
let database: Awaited<ReturnType<typeof openThrowawayDatabase>>;
let repo: PgRepository;

beforeAll(async () => {
  loadFhirDefinitions();
  database = await openThrowawayDatabase(2);
  repo = new PgRepository(database.db.sql, FULL_ACCESS);
});
afterAll(() => database.close());

function readEvent(id: string, patient: string): StorableAuditEvent {
  const event: AuditEvent & { id: string } = {
    resourceType: 'AuditEvent',
    id,
    meta: { versionId: '1', lastUpdated: '2026-11-26T10:00:00.000Z' },
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
    action: 'R',
    recorded: '2026-11-26T10:00:00.000Z',
    outcome: '0',
    agent: [{ who: { reference: 'Practitioner/dr' }, requestor: true }],
    source: { observer: { display: 'MedBuddy' } },
    entity: [{ what: { reference: patient } }],
  };
  return { event, patients: [patient] };
}

async function storedIds(prefix: string): Promise<string[]> {
  const { rows } = await database.db.sql.raw<{ id: string }>(
    `SELECT r.id FROM resource r JOIN sp_reference x ON x.resource_type = r.resource_type AND x.resource_id = r.id AND x.param = 'entity'
     WHERE r.resource_type = 'AuditEvent' AND r.id LIKE ? ORDER BY r.id`,
    [`${prefix}%`],
  );
  return rows.map((row) => row.id);
}

test('a flush stores the events enqueued, with their index rows', async () => {
  const writer = new AuditWriter(
    database.db.sql,
    () => {},
    (event) => repo.extractIndex(event),
  );
  writer.enqueue(readEvent('flushed-1', 'Patient/p1'));
  writer.enqueue(readEvent('flushed-2', 'Patient/p2'));
  await writer.flush();
  expect(await storedIds('flushed')).toEqual(['flushed-1', 'flushed-2']);
});

test('an event whose index rows cannot be extracted is dropped and reported; the others are stored', async () => {
  const errors: string[] = [];
  const writer = new AuditWriter(
    database.db.sql,
    (message) => errors.push(message),
    (event) => {
      if (event.id === 'broken-2') {
        throw new Error('extraction failed');
      }
      return repo.extractIndex(event);
    },
  );
  for (const id of ['broken-1', 'broken-2', 'broken-3']) {
    writer.enqueue(readEvent(id, 'Patient/p1'));
  }
  await writer.close();
  expect(await storedIds('broken')).toEqual(['broken-1', 'broken-3']);
  expect(errors).toEqual(['Preparing an audit event failed; it is dropped']);
});
