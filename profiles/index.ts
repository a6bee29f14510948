import fs from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

/** The folder holding the package: conformance resources at the top, examples in `examples/`. */
export const PROFILES_DIR = __dirname;

export interface PackageFile {
  /** Path below the package folder, e.g. `examples/Patient-example-anna.json`. */
  readonly fileName: string;
  readonly resource: Resource;
}

export interface ProfilesPackage {
  /** StructureDefinitions (differentials), SearchParameters, the Questionnaire and the ImplementationGuide. */
  readonly conformance: PackageFile[];
  /** Example instances, each declaring the profile it illustrates in meta.profile. */
  readonly examples: PackageFile[];
}

function readFolder(dir: string, prefix: string): PackageFile[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /^[A-Z][A-Za-z]+-.+\.json$/.test(name))
    .sort()
    .map((name) => ({ fileName: prefix + name, resource: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Resource }));
}

/** Every resource of the package, parsed. */
export function loadProfilesPackage(dir: string = PROFILES_DIR): ProfilesPackage {
  return { conformance: readFolder(dir, ''), examples: readFolder(path.join(dir, 'examples'), 'examples/') };
}
