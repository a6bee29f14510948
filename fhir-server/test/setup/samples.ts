import fs from 'node:fs';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';

/** Public Synthea sample transaction Bundles (copied from the shared fhir-samples; see its README). */
export const SAMPLES_DIR = path.resolve(__dirname, '../fixtures/synthea');

export function sampleBundleFiles(): string[] {
  return fs
    .readdirSync(SAMPLES_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export function readSampleBundle(file: string): Bundle {
  return JSON.parse(fs.readFileSync(path.join(SAMPLES_DIR, file), 'utf8')) as Bundle;
}
