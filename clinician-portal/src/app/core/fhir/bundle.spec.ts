import type { Bundle, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { linkUrl, matches, resolveReference, resourcesOfType } from './bundle';

const bundle: Bundle<PractitionerRole | Practitioner> = {
  resourceType: 'Bundle',
  type: 'searchset',
  link: [
    { relation: 'self', url: 'http://x/fhir/PractitionerRole?_include=PractitionerRole:practitioner' },
    { relation: 'next', url: 'http://x/fhir/PractitionerRole?_offset=20' },
  ],
  entry: [
    { resource: { resourceType: 'PractitionerRole', id: 'r1', practitioner: { reference: 'Practitioner/d1' } }, search: { mode: 'match' } },
    { resource: { resourceType: 'PractitionerRole', id: 'r2' } },
    { resource: { resourceType: 'Practitioner', id: 'd1', name: [{ family: 'House' }] }, search: { mode: 'include' } },
  ],
};

describe('bundle helpers', () => {
  it('returns matches in order, without included resources (search.html#return)', () => {
    expect(matches(bundle).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(matches({ resourceType: 'Bundle', type: 'searchset' })).toEqual([]);
  });

  it('finds resources of one type, included ones too', () => {
    expect(resourcesOfType(bundle, 'Practitioner').map((p) => p.name?.[0]?.family)).toEqual(['House']);
  });

  it('resolves a relative or absolute reference to an entry', () => {
    expect(resolveReference<'Practitioner'>(bundle, 'Practitioner/d1')?.id).toBe('d1');
    expect(resolveReference<'Practitioner'>(bundle, 'http://x/fhir/Practitioner/d1')?.id).toBe('d1');
    expect(resolveReference(bundle, 'Practitioner/nobody')).toBeUndefined();
    expect(resolveReference(bundle, undefined)).toBeUndefined();
  });

  it('reads paging links (bundle.html#paging)', () => {
    expect(linkUrl(bundle, 'next')).toBe('http://x/fhir/PractitionerRole?_offset=20');
    expect(linkUrl(bundle, 'previous')).toBeUndefined();
  });
});
