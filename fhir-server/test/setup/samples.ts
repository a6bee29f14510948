import fs from 'node:fs';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';

/** The public Synthea sample transaction Bundles in ../shared/fhir-samples. */
export const SAMPLES_DIR = path.resolve(__dirname, '../../../../shared/fhir-samples');

export function sampleBundleFiles(): string[] {
  return fs
    .readdirSync(SAMPLES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function readSampleBundle(file: string): Bundle {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, file), 'utf8')) as Bundle;
}
