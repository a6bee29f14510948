import fs from 'node:fs';
import path from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

/**
 * The repository root, found from this file: `fhir-server/src/definitions` when run from source
 * and `fhir-server/dist/definitions` when built, both three levels below the root.
 */
export const REPOSITORY_ROOT = path.resolve(__dirname, '../../..');

/** The repository's FHIR packages: `profiles/` (conformance) and `terminology/` (code systems, value sets). */
export type PackageFolder = 'profiles' | 'terminology';

export interface PackageFile {
  /** Path below the package folder, e.g. `examples/Patient-example-anna.json`. */
  readonly fileName: string;
  readonly resource: Resource;
}

/**
 * The `<resourceType>-<id>.json` files of a package folder (and of the given subfolder), parsed.
 * Throws with the file name when one is not valid JSON, so a broken package stops start-up.
 */
export function readPackageFolder(folder: PackageFolder, subfolder = ''): PackageFile[] {
  const dir = path.join(REPOSITORY_ROOT, folder, subfolder);
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter((name) => /^[A-Z][A-Za-z]+-[A-Za-z0-9\-.]+\.json$/.test(name))
    .sort()
    .map((name) => {
      const fileName = subfolder ? `${subfolder}/${name}` : name;
      try {
        return { fileName, resource: JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as Resource };
      } catch (error) {
        throw new Error(`${folder}/${fileName} is not valid JSON: ${String(error)}`);
      }
    });
}

/**
 * The packaged resources the server stores at start-up so clients can read and search them:
 * every code system and value set of `terminology/`, and the Questionnaires of `profiles/`.
 */
export function packagedResourcesToSeed(): Resource[] {
  return [
    ...readPackageFolder('terminology').map((f) => f.resource),
    ...readPackageFolder('profiles')
      .map((f) => f.resource)
      .filter((r) => r.resourceType === 'Questionnaire'),
  ];
}
