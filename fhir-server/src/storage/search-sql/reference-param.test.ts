import { createSearchParameterCatalog } from '../../definitions';
import type { SearchQuery } from '../search-query';
import { compileSearch } from './builder';
import { isIndexOrdered } from './index-order';
import { withDerivations } from './reference-param';

const catalog = createSearchParameterCatalog();
const query = (q: Partial<SearchQuery> & Pick<SearchQuery, 'resourceTypes'>): SearchQuery => ({
  filters: [],
  sort: [],
  count: 20,
  total: 'none',
  ...q,
});
const byPatient = { code: 'patient', type: 'reference' as const, values: [{ value: 'Patient/p1' }] };
const APPOINTMENT_PATIENT = { resourceType: 'Appointment', sources: ['actor'], targetType: 'Patient' };

describe('derived reference parameters in searches', () => {
  test('filters, chains, _has and sort keys on a derived parameter get its derivation', () => {
    const annotated = withDerivations(
      query({
        resourceTypes: ['Appointment'],
        filters: [
          byPatient,
          {
            kind: 'chain',
            code: 'patient',
            targetTypes: ['Patient'],
            filter: { code: 'family', type: 'string', values: [{ value: 'x' }] },
          },
        ],
        sort: [{ code: 'practitioner', type: 'reference', descending: false }],
      }),
      catalog,
    );
    expect(annotated.filters).toMatchObject([{ derived: [APPOINTMENT_PATIENT] }, { derived: [APPOINTMENT_PATIENT] }]);
    expect(annotated.sort[0].derived).toEqual([{ resourceType: 'Appointment', sources: ['actor'], targetType: 'Practitioner' }]);
    const has = withDerivations(
      query({
        resourceTypes: ['Patient'],
        filters: [
          {
            kind: 'has',
            sourceType: 'Observation',
            referenceParam: 'patient',
            filter: { code: 'code', type: 'token', values: [{ value: 'x' }] },
          },
        ],
      }),
      catalog,
    );
    expect(has.filters[0]).toMatchObject({ derived: [{ resourceType: 'Observation', sources: ['subject'], targetType: 'Patient' }] });
  });

  test('a search without derived parameters is left as it was; a sort by a reference of either kind computes its keys', () => {
    const slots = query({
      resourceTypes: ['Slot'],
      filters: [{ code: 'schedule', type: 'reference', values: [{ value: 'Schedule/s1' }] }],
      sort: [{ code: 'schedule', type: 'reference', descending: false }],
    });
    expect(withDerivations(slots, catalog)).toEqual(slots);
    // sp_reference_url_idx holds only references without a local target: no walk in url order.
    expect(isIndexOrdered(withDerivations(slots, catalog).sort, ['Slot'])).toBe(false);
    const byDerived = withDerivations(
      query({ resourceTypes: ['Appointment'], sort: [{ code: 'patient', type: 'reference', descending: false }] }),
      catalog,
    );
    expect(byDerived.sort[0].derived).toEqual([{ resourceType: 'Appointment', sources: ['actor'], targetType: 'Patient' }]);
    expect(isIndexOrdered(byDerived.sort, ['Appointment'])).toBe(false);
  });

  test('the derived rows are the own rows plus the sources rows of the target type', () => {
    const { pages } = compileSearch(withDerivations(query({ resourceTypes: ['Appointment'], filters: [byPatient] }), catalog));
    expect(pages[0].text).toContain(
      'd.param = ANY(?::text[]) AND (d.param = ? OR (d.resource_type = ? AND d.target_type = ? AND d.param = ANY(?::text[])))',
    );
    expect(pages[0].bindings).toEqual(expect.arrayContaining([['patient', 'actor'], 'patient', 'Appointment', 'Patient', ['actor']]));
  });
});
