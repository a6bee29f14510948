import type { ElementDefinition, OperationOutcomeIssue, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { elementIndex, loadFhirDefinitions, profileRegistry } from '../../definitions';
import { readPackageFolder } from '../../definitions/package-folders';
import { OutcomeError } from '../outcomes';
import { staticTerminology, type TerminologySource } from '../terminology/terminology-source';
import { requireConformingResource } from './resource-validator';
import { c, SD, type Case, type Json } from '../../../test/profiles/case';
import { RECORD_CASES } from '../../../test/profiles/record-cases';
import { SCHEDULING_CASES } from '../../../test/profiles/scheduling-cases';

const examples = new Map<string, Resource>(readPackageFolder('profiles', 'examples').map((f) => [f.resource.resourceType, f.resource]));
let terminology: TerminologySource;

beforeAll(() => {
  loadFhirDefinitions();
  terminology = staticTerminology(readPackageFolder('terminology').map((f) => f.resource) as never, elementIndex);
});

async function issuesOf(resource: Resource): Promise<OperationOutcomeIssue[]> {
  try {
    await requireConformingResource(resource, terminology);
    return [];
  } catch (error) {
    if (error instanceof OutcomeError) {
      return error.outcome.issue ?? [];
    }
    throw error;
  }
}

const CASES: Case[] = [...SCHEDULING_CASES, ...RECORD_CASES];

/** Simple extensions (one value[x]): a missing value and a value of another type each fail. */
const SIMPLE_EXTENSIONS: [string, string, string, unknown][] = [
  ['PractitionerRole', 'consultation-fee', 'valueMoney', { value: 1, currency: 'EUR' }],
  ['PractitionerRole', 'years-of-experience', 'valueInteger', 3],
  ['PractitionerRole', 'biography', 'valueMarkdown', 'Hello'],
  ['PractitionerRole', 'consultation-language', 'valueCode', 'de'],
  ['PractitionerRole', 'average-rating', 'valueDecimal', 4],
  ['PractitionerRole', 'review-count', 'valueUnsignedInt', 3],
  ['PractitionerRole', 'timezone', 'valueCode', 'Asia/Kolkata'],
  ['PractitionerRole', 'slot-length', 'valueDuration', { value: 15, system: 'http://unitsofmeasure.org', code: 'min' }],
  ['Practitioner', 'verification-status', 'valueCode', 'pending'],
  ['Slot', 'hold-expires', 'valueInstant', '2026-12-01T08:00:00Z'],
  ['VerificationResult', 'verification-reason', 'valueCodeableConcept', { text: 'ok' }],
];
for (const [type, id, key, value] of SIMPLE_EXTENSIONS) {
  const setExtension = (r: Json, extension: Json) => {
    if (type === 'Slot') {
      r.status = 'busy-tentative';
    }
    r.extension = [...(r.extension ?? []).filter((e: Json) => e.url !== SD(id)), extension];
  };
  CASES.push(
    c(
      type,
      `${id}:Extension.value[x]:min`,
      (r) => setExtension(r, { url: SD(id), extension: [{ url: 'note', valueString: 'x' }] }),
      'required',
      /Extension.value\[x\] needs at least 1/,
    ),
    c(
      type,
      `${id}:Extension.value[x]:type`,
      (r) => setExtension(r, { url: SD(id), valueBoolean: true }),
      'structure',
      /Type boolean is not allowed/,
    ),
  );
  CASES.push(c(type, `${id}:passing`, (r) => setExtension(r, { url: SD(id), [key]: value }), 'informational', /./));
}

/** The constraints each differential adds, as `<profile id>:<element id>:<kind>` or `<profile id>:<invariant key>`. */
function constraintsOf(sd: StructureDefinition): string[] {
  const base = (id: string) => sd.snapshot?.element?.find((e) => e.id === id) as ElementDefinition;
  return (sd.differential?.element ?? []).flatMap((d) => {
    const id = d.id as string;
    if (/^Extension\.(url|extension)$/.test(id) && sd.type === 'Extension' && !d.slicing) {
      return []; // the url of an extension is its slice discriminator; sub-extensions are closed off by max 0
    }
    const own: string[] = [];
    const element = base(id);
    if ((d.min ?? 0) > 0) own.push(`${id}:min`);
    if (d.max !== undefined && d.max !== '*') own.push(`${id}:max`);
    if (d.binding?.strength === 'required') own.push(`${id}:binding`);
    if (Object.keys(d).some((k) => k.startsWith('fixed') || k.startsWith('pattern'))) own.push(`${id}:fixed`);
    if (d.maxLength !== undefined) own.push(`${id}:maxLength`);
    if (d.type?.some((t) => t.targetProfile)) own.push(`${id}:target`);
    else if (d.type && id.endsWith('[x]') && element) own.push(`${id}:type`);
    if (d.slicing?.rules === 'closed' && sd.type === 'Extension') own.push('slicing-closed');
    return [...own.map((k) => `${sd.id}:${k}`), ...(d.constraint ?? []).map((k) => `${sd.id}:${k.key}`)];
  });
}

describe('MedBuddy profiles (profiling.html): every example conforms, every constraint has a failing case', () => {
  test('each profile has an example that conforms to it with the server validator', async () => {
    const profiles = profileRegistry.all().filter((sd) => sd.kind === 'resource');
    expect(profiles.length).toBe(17);
    for (const profile of profiles) {
      const example = [...examples.values()].find((r) => r.meta?.profile?.includes(profile.url as string));
      expect([profile.id, example?.resourceType]).toEqual([profile.id, profile.type]);
      expect([profile.id, await issuesOf(example as Resource)]).toEqual([profile.id, []]);
    }
  });

  test.each(CASES.map((k) => [k.covers.join(' + '), k] as const))('%s', async (_name, k) => {
    const resource = structuredClone(examples.get(k.type)) as Json;
    k.mutate(resource);
    const issues = await issuesOf(resource);
    if (k.code === 'informational') {
      expect(issues).toEqual([]);
      return;
    }
    const found = issues.some((i) => i.code === k.code && k.text.test(`${i.diagnostics} ${i.details?.text} ${i.expression?.join(' ')}`));
    expect(found).toBe(true);
  });

  test('the cases cover every constraint of every differential', () => {
    const covered = new Set(CASES.flatMap((k) => k.covers));
    const missing = profileRegistry
      .all()
      .flatMap(constraintsOf)
      .filter((key) => !covered.has(key));
    expect(missing).toEqual([]);
  });

  test('an unknown profile in meta.profile and a profile of another type are rejected', async () => {
    const patient = { ...(examples.get('Patient') as Json), meta: { profile: ['https://example.org/StructureDefinition/nope'] } };
    expect((await issuesOf(patient)).map((i) => i.code)).toEqual(['not-supported']);
    const wrongType = { ...(examples.get('Patient') as Json), meta: { profile: [SD('medbuddy-practitioner')] } };
    expect((await issuesOf(wrongType)).map((i) => i.diagnostics)).toEqual([expect.stringMatching(/constrains Practitioner, not Patient/)]);
  });
});
