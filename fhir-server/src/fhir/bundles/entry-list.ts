import type { BundleEntry } from '@medplum/fhirtypes';

/** A Bundle's `entry`, left out when there is none: FHIR JSON has no empty arrays (json.html). */
export function entryList(entries: BundleEntry[]): { entry?: BundleEntry[] } {
  return entries.length > 0 ? { entry: entries } : {};
}
