import type { Meta } from '@medplum/fhirtypes';
import { thrownOutcome } from '../../../test/setup/matchers';
import { addLabels, removeLabels, requireLabels, sameLabels } from './meta-labels';

/** Profiles, tags and security labels as sets (resource-operation-meta-add.html, -meta-delete.html). */
const LOST = { system: 'http://example.org/codes/tags', code: 'record-lost', display: 'Patient File Lost' };
const RESTRICTED = { system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' };
const PROFILE = 'http://example.org/StructureDefinition/p';

const STORED: Meta = { versionId: '3', lastUpdated: '2026-11-27T08:00:00.000Z', tag: [LOST], profile: [PROFILE] };

describe('addLabels', () => {
  test('adds what is new and keeps versionId, lastUpdated and what was there, in order', () => {
    expect(addLabels(STORED, { tag: [{ system: 'urn:x', code: 'a' }], security: [RESTRICTED], profile: ['urn:p2'] })).toEqual({
      versionId: '3',
      lastUpdated: '2026-11-27T08:00:00.000Z',
      tag: [LOST, { system: 'urn:x', code: 'a' }],
      security: [RESTRICTED],
      profile: [PROFILE, 'urn:p2'],
    });
  });

  test('a tag with the same system and code is not added twice, whatever its display or version', () => {
    const added = addLabels(STORED, { tag: [{ ...LOST, display: 'another display', version: '2' }], profile: [PROFILE] });
    expect(sameLabels(added, STORED)).toBe(true);
  });

  test('the same code in another system is another tag; a tag without system differs from one with', () => {
    const added = addLabels(STORED, { tag: [{ system: 'urn:other', code: 'record-lost' }, { code: 'record-lost' }] });
    expect(added.tag).toEqual([LOST, { system: 'urn:other', code: 'record-lost' }, { code: 'record-lost' }]);
  });

  test('a resource without meta gets one', () => {
    expect(addLabels(undefined, { security: [RESTRICTED] })).toEqual({ security: [RESTRICTED] });
  });

  test('does not change the meta it is given', () => {
    const stored = structuredClone(STORED);
    addLabels(stored, { tag: [RESTRICTED], profile: ['urn:p2'] });
    expect(stored).toEqual(STORED);
  });
});

describe('removeLabels', () => {
  test('removes by system and code (display ignored) and by profile URL, and leaves no empty list', () => {
    expect(removeLabels(STORED, { tag: [{ system: LOST.system, code: LOST.code }], profile: [PROFILE] })).toEqual({
      versionId: '3',
      lastUpdated: '2026-11-27T08:00:00.000Z',
    });
  });

  test('a label that is not there changes nothing', () => {
    expect(sameLabels(removeLabels(STORED, { tag: [{ system: 'urn:other', code: 'record-lost' }], security: [RESTRICTED] }), STORED)).toBe(
      true,
    );
  });
});

describe('requireLabels', () => {
  test('keeps only profile, tag and security', () => {
    expect(requireLabels({ versionId: '9', source: 'urn:s', tag: [LOST] })).toEqual({
      profile: undefined,
      tag: [LOST],
      security: undefined,
    });
  });

  test('a tag or security label without a code is a 400 naming it', () => {
    expect(thrownOutcome(() => requireLabels({ tag: [{ system: 'urn:x' }] }))).toMatchObject({ status: 400, code: 'invalid' });
    expect(thrownOutcome(() => requireLabels({ security: [{ display: 'x' }] })).text).toContain('meta.security');
  });
});
