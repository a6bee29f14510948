import type { AuditEvent } from '@medplum/fhirtypes';
import { auditCsv, auditNdjson } from './audit-export';

const event: AuditEvent = {
  resourceType: 'AuditEvent',
  id: 'a1',
  recorded: '2026-11-25T10:00:00Z',
  type: { code: 'rest' },
  subtype: [{ code: 'read' }],
  action: 'R',
  outcome: '0',
  agent: [{ who: { reference: 'Practitioner/d1' }, requestor: true }],
  entity: [{ what: { reference: 'Patient/p1' } }, { what: { reference: 'Composition/c1' } }],
  source: { observer: { display: 'MedBuddy, "main"' } },
};

describe('audit export', () => {
  it('writes CSV with a header, quoting fields with commas and quotes', () => {
    expect(auditCsv([event])).toBe(
      'id,recorded,type,subtype,action,outcome,agents,entities,source\r\n' +
        'a1,2026-11-25T10:00:00Z,rest,read,R,0,Practitioner/d1,"Patient/p1, Composition/c1","MedBuddy, ""main"""\r\n',
    );
  });

  it('keeps a spreadsheet from running a field as a formula', () => {
    const csv = auditCsv([{ ...event, agent: [{ who: { display: '=HYPERLINK("x")' }, requestor: true }] }]);
    expect(csv).toContain(`"'=HYPERLINK(""x"")"`);
  });

  it('writes NDJSON, one resource per line', () => {
    const lines = auditNdjson([event, { ...event, id: 'a2' }]).split('\n');
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]).id).toBe('a2');
    expect(lines[2]).toBe('');
    expect(auditNdjson([])).toBe('');
  });
});
