import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';
import { elementIndex, loadFhirDefinitions } from '../../definitions';
import { readPackageFolder } from '../../definitions/package-folders';
import { OutcomeError } from '../outcomes';
import { expandValueSet } from './expand-value-set';
import { lookupCode } from './lookup-code';
import { subsumes } from './subsumption';
import { staticTerminology, type TerminologySource } from './terminology-source';
import { validateCode } from './validate-code';

const BASE = 'https://medbuddy.dev/fhir';
const packaged = readPackageFolder('terminology').map((f) => f.resource as CodeSystem | ValueSet);
const specialtySystem = packaged.find((r) => r.url === `${BASE}/CodeSystem/specialty`) as CodeSystem;
const specialties = packaged.find((r) => r.url === `${BASE}/ValueSet/specialty`) as ValueSet;
let source: TerminologySource;

beforeAll(() => {
  loadFhirDefinitions();
  source = staticTerminology(packaged, elementIndex);
});

const codes = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => c.code as string);

/** The specialty code system with one concept's status set to retired, as an admin would. */
function withRetired(code: string): CodeSystem {
  const retire = (concepts: CodeSystemConcept[]): CodeSystemConcept[] =>
    concepts.map((c) => ({
      ...c,
      property: c.code === code ? [...(c.property ?? []), { code: 'status', valueCode: 'retired' }] : c.property,
      concept: c.concept && retire(c.concept),
    }));
  return { ...specialtySystem, concept: retire(specialtySystem.concept ?? []) };
}

async function expectOutcome(promise: Promise<unknown> | (() => unknown), status: number, code: string): Promise<void> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(OutcomeError);
    expect([(error as OutcomeError).status, (error as OutcomeError).outcome.issue?.[0]?.code]).toEqual([status, code]);
    return;
  }
  throw new Error('expected an OutcomeError');
}

describe('$expand (valueset-operation-expand.html)', () => {
  test('expands a whole code system, hierarchy flattened, grouping concepts flagged abstract', async () => {
    const expansion = await expandValueSet(specialties, source);
    expect(codes(expansion)).toEqual(expect.arrayContaining(['cardiology', 'psychiatry', 'pediatric-cardiology', 'mental-health']));
    expect(expansion.expansion?.contains?.find((c) => c.code === 'mental-health')?.abstract).toBe(true);
    expect(expansion.expansion?.total).toBe(codes(expansion).length);
  });

  test('filter matches words of the display by prefix, ignoring case and accents, in the display language', async () => {
    expect(codes(await expandValueSet(specialties, source, { filter: 'CARDIO' }))).toEqual(['cardiology', 'pediatric-cardiology']);
    const spanish = await expandValueSet(specialties, source, { filter: 'cardiologia', displayLanguage: 'es' });
    expect(spanish.expansion?.contains?.map((c) => c.display)).toEqual(['Cardiología', 'Cardiología pediátrica']);
    expect(codes(await expandValueSet(specialties, source, { filter: 'zzz' }))).toEqual([]);
  });

  test('displayLanguage picks designations (exact tag, then primary subtag) and falls back to the display', async () => {
    const german = await expandValueSet(specialties, source, { displayLanguage: 'de-CH' });
    expect(german.expansion?.contains?.find((c) => c.code === 'cardiology')?.display).toBe('Kardiologie');
    const unknown = await expandValueSet(specialties, source, { displayLanguage: 'xx' });
    expect(unknown.expansion?.contains?.find((c) => c.code === 'cardiology')?.display).toBe('Cardiology');
  });

  test('count and offset page the expansion; total counts every match', async () => {
    const all = codes(await expandValueSet(specialties, source));
    const page = await expandValueSet(specialties, source, { offset: 2, count: 3 });
    expect(codes(page)).toEqual(all.slice(2, 5));
    expect([page.expansion?.total, page.expansion?.offset]).toEqual([all.length, 2]);
  });

  test('bad paging and filter input is a 400: huge or negative count, negative offset, over-long filter', async () => {
    await expectOutcome(expandValueSet(specialties, source, { count: 1_000_000 }), 400, 'invalid');
    await expectOutcome(expandValueSet(specialties, source, { count: -1 }), 400, 'invalid');
    await expectOutcome(expandValueSet(specialties, source, { offset: -5 }), 400, 'invalid');
    await expectOutcome(expandValueSet(specialties, source, { filter: 'x'.repeat(201) }), 400, 'invalid');
  });

  test('a retired concept leaves the expansion (compose.inactive = false); activeOnly=false brings it back flagged', async () => {
    const retired = staticTerminology([withRetired('dermatology'), specialties]);
    expect(codes(await expandValueSet(specialties, retired))).not.toContain('dermatology');
    const withInactive = await expandValueSet(specialties, retired, { activeOnly: false });
    expect(withInactive.expansion?.contains?.find((c) => c.code === 'dermatology')?.inactive).toBe(true);
  });

  test('compose filters: is-a, descendent-of, is-not-a, generalizes, in, property =, exists (valueset-filter-operator.html)', async () => {
    const expand = async (
      property: string,
      op: 'is-a' | 'descendent-of' | 'generalizes' | 'is-not-a' | 'in' | '=' | 'exists',
      value: string,
    ) =>
      codes(
        await expandValueSet(
          {
            resourceType: 'ValueSet',
            status: 'active',
            compose: { include: [{ system: specialtySystem.url, filter: [{ property, op, value }] }] },
          },
          source,
        ),
      );
    expect(await expand('concept', 'is-a', 'mental-health')).toEqual(['mental-health', 'psychiatry', 'child-psychiatry', 'psychotherapy']);
    expect(await expand('concept', 'descendent-of', 'pediatrics')).toEqual(['pediatric-cardiology', 'pediatric-endocrinology']);
    expect(await expand('concept', 'generalizes', 'pediatric-cardiology')).toEqual([
      'womens-and-childrens-health',
      'pediatrics',
      'pediatric-cardiology',
    ]);
    expect(await expand('concept', 'is-not-a', 'medical-specialties')).not.toContain('cardiology');
    expect(await expand('concept', 'in', 'cardiology,urology')).toEqual(['cardiology', 'urology']);
    expect(await expand('parent', '=', 'pediatrics')).toEqual(['pediatric-cardiology', 'pediatric-endocrinology']);
    expect((await expand('notSelectable', 'exists', 'true')).length).toBe(6);
  });

  test('malformed compose filters are a 400: unknown property, missing value, unsupported operator', async () => {
    const withFilter = (filter: object): ValueSet =>
      ({
        resourceType: 'ValueSet',
        status: 'active',
        compose: { include: [{ system: specialtySystem.url, filter: [filter] }] },
      }) as ValueSet;
    await expectOutcome(expandValueSet(withFilter({ property: 'colour', op: '=', value: 'red' }), source), 400, 'invalid');
    await expectOutcome(expandValueSet(withFilter({ property: 'concept', op: 'is-a' }), source), 400, 'invalid');
    await expectOutcome(expandValueSet(withFilter({ property: 'concept', op: 'regex', value: '.*' }), source), 400, 'not-supported');
  });

  test('an unknown code system, an unknown import and an import cycle are 422s, not 500s', async () => {
    const vs = (include: object): ValueSet => ({ resourceType: 'ValueSet', status: 'active', compose: { include: [include] } }) as ValueSet;
    await expectOutcome(expandValueSet(vs({ system: 'http://example.org/unknown' }), source), 422, 'processing');
    await expectOutcome(expandValueSet(vs({ valueSet: ['http://example.org/ValueSet/none'] }), source), 422, 'processing');
    const a: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://x/a',
      status: 'active',
      compose: { include: [{ valueSet: ['http://x/b'] }] },
    };
    const b: ValueSet = {
      resourceType: 'ValueSet',
      url: 'http://x/b',
      status: 'active',
      compose: { include: [{ valueSet: ['http://x/a'] }] },
    };
    await expectOutcome(expandValueSet(a, staticTerminology([a, b])), 422, 'processing');
  });

  test('value sets listing concepts of a system the server does not hold (BCP-47) expand from the listing', async () => {
    const languages = packaged.find((r) => r.url === `${BASE}/ValueSet/languages`) as ValueSet;
    const expansion = await expandValueSet(languages, source, { filter: 'deutsch', displayLanguage: 'de' });
    expect(codes(expansion)).toContain('de');
  });
});

describe('$validate-code (valueset-operation-validate-code.html)', () => {
  test('a member code is valid and its display returned; another system or code is not', async () => {
    expect(await validateCode(specialties, source, { system: specialtySystem.url, code: 'cardiology' })).toEqual({
      result: true,
      display: 'Cardiology',
    });
    expect((await validateCode(specialties, source, { code: 'cardiology' })).result).toBe(true);
    expect((await validateCode(specialties, source, { system: 'http://snomed.info/sct', code: 'cardiology' })).result).toBe(false);
    expect((await validateCode(specialties, source, { code: 'astrology' })).message).toMatch(/not in the value set/);
  });

  test('retired and abstract codes are not valid members, unless abstract is allowed', async () => {
    const retired = await validateCode(specialties, staticTerminology([withRetired('dermatology'), specialties]), { code: 'dermatology' });
    expect(retired).toEqual({ result: false, message: expect.stringMatching(/retired/) });
    expect((await validateCode(specialties, source, { code: 'mental-health' })).result).toBe(false);
    expect((await validateCode(specialties, source, { code: 'mental-health' }, { abstractAllowed: true })).result).toBe(true);
  });

  test('a wrong display keeps the code valid and says so; a translated display is accepted', async () => {
    const wrong = await validateCode(specialties, source, { code: 'cardiology', display: 'Heart stuff' });
    expect(wrong).toMatchObject({ result: true, message: expect.stringMatching(/not a display/) });
    expect((await validateCode(specialties, source, { code: 'cardiology', display: 'Kardiologie' })).message).toBeUndefined();
  });
});

describe('$lookup (codesystem-operation-lookup.html)', () => {
  const find = (params: { parameter?: { name?: string; part?: { name?: string; valueCode?: string }[] }[] }, name: string) =>
    (params.parameter ?? []).filter((p) => p.name === 'property' && p.part?.[0]?.valueCode === name).map((p) => p.part?.[1]);

  test('returns name, version, display, designations and properties (declared, parent, child, inactive)', () => {
    const result = lookupCode(specialtySystem, 'pediatric-cardiology');
    expect(result.parameter?.slice(0, 3)).toEqual([
      { name: 'name', valueString: 'MedBuddySpecialty' },
      { name: 'version', valueString: '0.1.0' },
      { name: 'display', valueString: 'Pediatric cardiology' },
    ]);
    expect(result.parameter?.filter((p) => p.name === 'designation').length).toBe(3);
    expect(find(result, 'parent')).toEqual([{ name: 'value', valueCode: 'pediatrics' }]);
    expect(find(result, 'snomed')).toEqual([
      { name: 'value', valueCoding: { system: 'http://snomed.info/sct', code: '408459003', display: 'Pediatric cardiology' } },
    ]);
    expect(find(lookupCode(specialtySystem, 'pediatrics'), 'child').map((v) => v?.valueCode)).toEqual([
      'pediatric-cardiology',
      'pediatric-endocrinology',
    ]);
  });

  test('the property parameter limits the properties; displayLanguage picks the display', () => {
    const result = lookupCode(specialtySystem, 'cardiology', { properties: ['inactive'], displayLanguage: 'fr' });
    expect(result.parameter?.filter((p) => p.name === 'property').length).toBe(1);
    expect(result.parameter?.find((p) => p.name === 'display')?.valueString).toBe('Cardiologie');
  });

  test('an unknown code is a 404; base R4 code systems can be looked up too', async () => {
    await expectOutcome(() => lookupCode(specialtySystem, 'astrology'), 404, 'not-found');
    const gender = (await source.codeSystem('http://hl7.org/fhir/administrative-gender')) as CodeSystem;
    expect(lookupCode(gender, 'female').parameter?.find((p) => p.name === 'display')?.valueString).toBe('Female');
  });
});

describe('$subsumes (codesystem-operation-subsumes.html)', () => {
  test('equivalent, subsumes, subsumed-by (transitively) and not-subsumed', async () => {
    expect(subsumes(specialtySystem, 'cardiology', 'cardiology')).toBe('equivalent');
    expect(subsumes(specialtySystem, 'womens-and-childrens-health', 'pediatric-cardiology')).toBe('subsumes');
    expect(subsumes(specialtySystem, 'pediatric-cardiology', 'pediatrics')).toBe('subsumed-by');
    expect(subsumes(specialtySystem, 'cardiology', 'pediatric-cardiology')).toBe('not-subsumed');
    await expectOutcome(() => subsumes(specialtySystem, 'cardiology', 'astrology'), 404, 'not-found');
  });
});
