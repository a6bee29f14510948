import fs from 'node:fs';
import path from 'node:path';
import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';

/** The folder holding the package's resources, one `<resourceType>-<id>.json` file each. */
export const TERMINOLOGY_DIR = __dirname;

export interface TerminologyFile {
  readonly fileName: string;
  readonly resource: CodeSystem | ValueSet;
}

/** Every CodeSystem and ValueSet of the package, parsed, in file-name order. */
export function loadTerminologyPackage(dir: string = TERMINOLOGY_DIR): TerminologyFile[] {
  return fs
    .readdirSync(dir)
    .filter((name) => /^(CodeSystem|ValueSet)-.+\.json$/.test(name))
    .sort()
    .map((fileName) => ({ fileName, resource: JSON.parse(fs.readFileSync(path.join(dir, fileName), 'utf8')) as CodeSystem | ValueSet }));
}
