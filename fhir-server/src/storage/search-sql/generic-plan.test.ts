import { loadFhirDefinitions } from '../../definitions';
import type { ParameterFilter } from '../search-query';
import { genericPlanStatement } from './generic-plan';
import { referenceCondition } from './reference';
import { anchor, and, compose, key, literal, sql } from './sql-fragment';

beforeAll(() => loadFhirDefinitions());

describe('genericPlanStatement', () => {
  const reference = sql('d.resource_type = ? AND d.param = ? AND d.target_id = ?', literal('Slot'), literal('schedule'), anchor('s1'));

  test('writes the literals into the text and keeps the anchor and keys as bindings', () => {
    const statement = compose('SELECT 1 FROM sp_reference d WHERE {} AND d.low < ?::timestamptz LIMIT ?', reference);
    const planned = genericPlanStatement({
      ...statement,
      bindings: [...statement.bindings, '2027-01-01', 21],
      roles: [...(statement.roles ?? []), 'key', 'key'],
    });
    expect(planned).toEqual({
      text: `SELECT 1 FROM sp_reference d WHERE d.resource_type = 'Slot' AND d.param = 'schedule' AND d.target_id = ? AND d.low < ?::timestamptz LIMIT ?`,
      bindings: ['s1', '2027-01-01', 21],
    });
  });

  test('writes a list of literals as a text array whose elements are quoted', () => {
    const statement = and([reference, sql('d.resource_type = ANY(?::text[])', literal(['Patient', 'NULL']))]);
    expect(genericPlanStatement(statement)?.text).toContain(`ANY('{"Patient","NULL"}'::text[])`);
  });

  test('leaves a statement to per-call plans when a binding has no role, there is no anchor, or a literal is not plain', () => {
    expect(genericPlanStatement(and([reference, sql('x.code = ?', 'open code')]))).toBeUndefined();
    expect(genericPlanStatement(sql('d.param = ? AND d.low < ?', literal('date'), key('2027-01-01')))).toBeUndefined();
    expect(genericPlanStatement(and([reference, sql('x.code = ?', literal("x' OR '1'='1"))]))).toBeUndefined();
  });

  test('takes the type of a reference as a literal only when it is a resource type, not any text a client sends', () => {
    const filter: ParameterFilter = { code: 'subject', type: 'reference', values: [] };
    const planned = (reference: string) => genericPlanStatement(referenceCondition('d', filter, { value: reference }));
    expect(planned('Patient/p1')).toEqual({ text: `d.target_id = ? AND d.target_type = 'Patient'`, bindings: ['p1'] });
    expect(planned('Nonsense/p1')).toBeUndefined();
  });

  test('does not count a question mark inside a quoted string as a placeholder', () => {
    const statement = compose(`{} AND d.url <> '?'`, reference);
    expect(genericPlanStatement(statement)?.text).toBe(
      `d.resource_type = 'Slot' AND d.param = 'schedule' AND d.target_id = ? AND d.url <> '?'`,
    );
  });
});
