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

/**
 * A sample transaction Bundle as NDJSON lines per resource type, the shape of a Bulk Data
 * export: each resource keeps its id, and `urn:uuid:` references become `Type/id`.
 */
export function sampleNdjson(file: string): Map<string, string[]> {
  const bundle = readSampleBundle(file);
  const targets = new Map<string, string>();
  for (const entry of bundle.entry ?? []) {
    if (entry.fullUrl && entry.resource?.id) {
      targets.set(entry.fullUrl, `${entry.resource.resourceType}/${entry.resource.id}`);
    }
  }
  const byType = new Map<string, string[]>();
  for (const entry of bundle.entry ?? []) {
    const resource = entry.resource;
    if (!resource) {
      continue;
    }
    const text = JSON.stringify(resource).replace(/"urn:uuid:[0-9a-f-]{36}"/g, (urn) =>
      JSON.stringify(targets.get(JSON.parse(urn)) ?? JSON.parse(urn)),
    );
    byType.set(resource.resourceType, [...(byType.get(resource.resourceType) ?? []), text]);
  }
  return byType;
}
