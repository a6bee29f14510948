import fs from 'node:fs';
import path from 'node:path';
import type { SearchParameter } from '@medplum/fhirtypes';
import { REPOSITORY_ROOT } from './package-folders';

/** The repository's `profiles/` FHIR package (found from the server code, in src and in dist). */
export const DEFAULT_PROFILES_DIR = path.join(REPOSITORY_ROOT, 'profiles');

/**
 * Every `SearchParameter-*.json` file of the profiles package (the folder is optional).
 * A file that is not a SearchParameter with a code, a base and a type is an error at start-up
 * rather than a parameter that silently does nothing.
 */
export function readProfileSearchParameters(dir: string = DEFAULT_PROFILES_DIR): SearchParameter[] {
  if (!fs.existsSync(dir)) {
    return [];
  }
  return fs
    .readdirSync(dir)
    .filter((name) => /^SearchParameter-.+\.json$/.test(name))
    .sort()
    .map((name) => {
      const file = path.join(dir, name);
      const param = JSON.parse(fs.readFileSync(file, 'utf8')) as SearchParameter;
      if (param.resourceType !== 'SearchParameter' || !param.code || !param.base?.length || !param.type) {
        throw new Error(`${file} is not a SearchParameter with code, base and type`);
      }
      return param;
    });
}
