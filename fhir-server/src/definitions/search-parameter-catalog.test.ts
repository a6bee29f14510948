import type { SearchParameter } from '@medplum/fhirtypes';
import { createSearchParameterCatalog } from './index';

describe('SearchParameterCatalog', () => {
  test('AuditEvent has only the parameters the audit trail is searched by, plus the resource-level ones', () => {
    const codes = [...createSearchParameterCatalog().parametersOf('AuditEvent').keys()].sort();
    expect(codes).toEqual(
      expect.arrayContaining(['_id', '_lastUpdated', 'agent', 'date', 'entity', 'outcome', 'patient', 'subtype', 'type']),
    );
    expect(codes.filter((code) => !code.startsWith('_'))).toEqual(['agent', 'date', 'entity', 'outcome', 'patient', 'subtype', 'type']);
  });

  test('other types keep every base parameter', () => {
    const catalog = createSearchParameterCatalog();
    expect(catalog.get('Patient', 'address-city')).toBeDefined();
    expect(catalog.get('Observation', 'value-quantity')).toBeDefined();
  });

  test('a custom SearchParameter on AuditEvent still applies', () => {
    const catalog = createSearchParameterCatalog();
    expect(catalog.get('AuditEvent', 'action')).toBeUndefined();
    const custom: SearchParameter = {
      resourceType: 'SearchParameter',
      url: 'https://medbuddy.test/SearchParameter/audit-action',
      name: 'action',
      status: 'active',
      description: 'action',
      code: 'action',
      base: ['AuditEvent'],
      type: 'token',
      expression: 'AuditEvent.action',
    };
    catalog.replaceCustom([custom]);
    expect(catalog.get('AuditEvent', 'action')?.url).toBe(custom.url);
  });
});
