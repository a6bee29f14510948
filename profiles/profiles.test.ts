import { evalFhirPath, parseFhirPath } from '@medplum/core';
import type { ImplementationGuide, List, Resource, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { elementIndex, loadFhirDefinitions, profileRegistry } from '../fhir-server/src/definitions';
import { OutcomeError } from '../fhir-server/src/fhir/outcomes';
import { staticTerminology, type TerminologySource } from '../fhir-server/src/fhir/terminology/terminology-source';
import { requireConformingResource } from '../fhir-server/src/fhir/validation/resource-validator';
import { loadTerminologyPackage } from '../terminology';
import { loadProfilesPackage } from './index';
import manifest from './package.json';

const { conformance, examples } = loadProfilesPackage();
const all = [...conformance, ...examples];
const definitions = conformance.map((f) => f.resource).filter((r): r is StructureDefinition => r.resourceType === 'StructureDefinition');
const searchParameters = conformance.map((f) => f.resource).filter((r): r is SearchParameter => r.resourceType === 'SearchParameter');
let terminology: TerminologySource;

beforeAll(() => {
  loadFhirDefinitions(); // generates every snapshot; throws on a broken differential
  terminology = staticTerminology(
    loadTerminologyPackage().map((f) => f.resource),
    elementIndex,
  );
});

/** The issues the server's validator finds (structure, meta.profile, required bindings), none when it conforms. */
async function issuesOf(resource: Resource): Promise<string[]> {
  try {
    await requireConformingResource(resource, terminology);
    return [];
  } catch (error) {
    if (error instanceof OutcomeError) {
      return (error.outcome.issue ?? []).map((i) => i.diagnostics ?? i.details?.text ?? '');
    }
    throw error;
  }
}

describe('profiles package (FHIR package layout, profiling.html)', () => {
  test('package.json is a FHIR package manifest for R4', () => {
    expect(manifest).toMatchObject({ name: 'medbuddy.fhir', fhirVersions: ['4.0.1'], canonical: 'https://medbuddy.dev/fhir' });
  });

  test('every file is named <resourceType>-<id>.json; canonical url|version is unique', () => {
    for (const { fileName, resource } of all) {
      expect(fileName.replace(/^examples\//, '')).toBe(`${resource.resourceType}-${resource.id}.json`);
    }
    const keys = conformance.map((f) => f.resource as { url?: string; version?: string }).map((r) => `${r.url}|${r.version}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  test('differentials are hand-written (no snapshot committed) and every one gets a snapshot from the server', () => {
    for (const sd of definitions) {
      expect([sd.id, sd.snapshot]).toEqual([sd.id, undefined]);
      expect(profileRegistry.get(sd.url as string)?.snapshot?.element?.length).toBeGreaterThan(1);
    }
  });

  test('every example conforms to the profile it declares, checked by the server validator', async () => {
    expect(examples.length).toBe(definitions.filter((sd) => sd.kind === 'resource').length);
    for (const { fileName, resource } of examples) {
      expect(resource.meta?.profile?.length).toBe(1);
      expect([fileName, await issuesOf(resource)]).toEqual([fileName, []]);
    }
  });

  test('a broken example fails: each example without its profile-required elements is rejected', async () => {
    const breakers: Record<string, (r: Record<string, unknown>) => void> = {
      Patient: (r) => delete r.birthDate,
      Practitioner: (r) => delete r.qualification,
      PractitionerRole: (r) =>
        (r.specialty = [{ coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/specialty', code: 'astrology' }] }]),
      Schedule: (r) => delete r.extension,
      Slot: (r) => (r.end = r.start),
      Appointment: (r) => delete r.slot,
      Encounter: (r) => delete r.appointment,
      Composition: (r) => (r.section = (r.section as unknown[]).slice(1)),
      MedicationRequest: (r) => delete r.groupIdentifier,
      DocumentReference: (r) => delete r.category,
      ServiceRequest: (r) => delete r.occurrencePeriod,
      QuestionnaireResponse: (r) => (r.item = []),
      Condition: (r) => delete r.code,
      AllergyIntolerance: (r) => delete r.code,
      MedicationStatement: (r) => (r.subject = { reference: 'Group/x' }),
      AuditEvent: (r) => delete r.outcome,
      VerificationResult: (r) => delete r.statusDate,
    };
    for (const { fileName, resource } of examples) {
      const broken = structuredClone(resource) as unknown as Record<string, unknown>;
      breakers[resource.resourceType](broken);
      expect([fileName, (await issuesOf(broken as unknown as Resource)).length > 0]).toEqual([fileName, true]);
    }
  });

  test('custom SearchParameters are valid FHIRPath over the extensions and find values in the examples', () => {
    expect(searchParameters.map((sp) => sp.code).sort()).toEqual(
      [
        'experience',
        'fee',
        'group-identifier',
        'hold-expires',
        'current-item',
        'language',
        'rating',
        'review-count',
        'timeline-date',
        'timezone',
        'verification-status',
      ].sort(),
    );
    const heldSlot = {
      ...(examples.find((f) => f.resource.resourceType === 'Slot')?.resource as Resource),
      extension: [{ url: 'https://medbuddy.dev/fhir/StructureDefinition/hold-expires', valueInstant: '2026-12-01T08:00:00Z' }],
    };
    const changedList: List = {
      resourceType: 'List',
      status: 'current',
      mode: 'changes',
      entry: [{ item: { reference: 'Patient/anna' } }, { item: { reference: 'Patient/ben' }, deleted: true }],
    };
    // The clinical types timeline-date dates whose package example (if any) has no care date, with that date only.
    const dated = (resourceType: string, element: Record<string, unknown>) => ({ resourceType, ...element }) as Resource;
    const period = { start: '2026-10-01T09:00:00Z', end: '2026-10-01T10:00:00Z' };
    const inlineExamples: Record<string, Resource> = {
      Slot: heldSlot,
      List: changedList,
      CarePlan: dated('CarePlan', { period }),
      CareTeam: dated('CareTeam', { period }),
      ClinicalImpression: dated('ClinicalImpression', { date: '2026-10-01' }),
      DiagnosticReport: dated('DiagnosticReport', { effectiveDateTime: '2026-10-01' }),
      EpisodeOfCare: dated('EpisodeOfCare', { period }),
      FamilyMemberHistory: dated('FamilyMemberHistory', { date: '2026-10-01' }),
      Immunization: dated('Immunization', { occurrenceDateTime: '2026-10-01' }),
      MedicationAdministration: dated('MedicationAdministration', { effectivePeriod: period }),
      Observation: dated('Observation', { effectiveDateTime: '2026-10-01' }),
      Procedure: dated('Procedure', { performedPeriod: period }),
      MedicationStatement: dated('MedicationStatement', { effectiveDateTime: '2026-10-01' }),
      ServiceRequest: dated('ServiceRequest', { authoredOn: '2026-10-01' }),
    };
    for (const sp of searchParameters) {
      expect(() => parseFhirPath(sp.expression as string)).not.toThrow();
      for (const base of sp.base ?? []) {
        const example = inlineExamples[base] ?? examples.find((f) => f.resource.resourceType === base)?.resource;
        expect([sp.code, base, evalFhirPath(sp.expression as string, example).length > 0]).toEqual([sp.code, base, true]);
      }
    }
    const currentItem = searchParameters.find((sp) => sp.code === 'current-item')?.expression as string;
    expect(evalFhirPath(currentItem, changedList)).toEqual([{ reference: 'Patient/anna' }]);
  });

  test('the ImplementationGuide lists every conformance resource of the package', () => {
    const guide = conformance.find((f) => f.resource.resourceType === 'ImplementationGuide')?.resource as ImplementationGuide;
    const listed = new Set(guide.definition?.resource?.map((r) => r.reference?.reference));
    const expected = conformance.map((f) => f.resource).filter((r) => r.resourceType !== 'ImplementationGuide');
    expect(expected.filter((r) => !listed.has(`${r.resourceType}/${r.id}`))).toEqual([]);
  });
});
