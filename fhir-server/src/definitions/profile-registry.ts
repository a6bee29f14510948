import { parseFhirPath } from '@medplum/core';
import type { StructureDefinition } from '@medplum/fhirtypes';
import { generateSnapshot, SnapshotError, type DefinitionLookup } from './snapshot-generator';

/** Slicing discriminators the profile validator evaluates (profiling.html#discriminator). */
const SUPPORTED_DISCRIMINATORS = new Set(['value', 'pattern', 'type']);

/**
 * The profiles and extension definitions the server enforces, by canonical URL, with snapshots
 * generated at load from their differentials. Loading checks what validation relies on
 * (supported discriminators, parseable invariants), so a broken package stops start-up.
 */
export class ProfileRegistry {
  private readonly byUrl = new Map<string, StructureDefinition>();

  constructor(private readonly core: DefinitionLookup) {}

  /** Generates snapshots (bases before the profiles built on them) and indexes the definitions. */
  load(definitions: readonly StructureDefinition[]): void {
    let pending = [...definitions];
    while (pending.length > 0) {
      const ready = pending.filter((sd) => !pending.some((other) => other !== sd && other.url === sd.baseDefinition));
      if (ready.length === 0) {
        throw new SnapshotError(`Profiles derive from each other in a cycle: ${pending.map((sd) => sd.url).join(', ')}`);
      }
      for (const sd of ready) {
        const withSnapshot = generateSnapshot(sd, (url) => this.lookup(url));
        checkSupported(withSnapshot);
        this.byUrl.set(sd.url as string, withSnapshot);
      }
      pending = pending.filter((sd) => !ready.includes(sd));
    }
  }

  /** A definition with its snapshot: one of ours, else a base R4 type or resource. */
  lookup(url: string): StructureDefinition | undefined {
    return this.byUrl.get(url.split('|')[0]) ?? this.core(url.split('|')[0]);
  }

  /** One of the package's profiles or extensions (not a base definition). */
  get(url: string): StructureDefinition | undefined {
    return this.byUrl.get(url.split('|')[0]);
  }

  /** Canonical URLs of the resource profiles for a type (not extensions), sorted. */
  profilesFor(resourceType: string): string[] {
    return [...this.byUrl.values()]
      .filter((sd) => sd.kind === 'resource' && sd.type === resourceType)
      .map((sd) => sd.url as string)
      .sort();
  }

  all(): StructureDefinition[] {
    return [...this.byUrl.values()];
  }
}

function checkSupported(sd: StructureDefinition): void {
  for (const element of sd.snapshot?.element ?? []) {
    for (const discriminator of element.slicing?.discriminator ?? []) {
      if (!SUPPORTED_DISCRIMINATORS.has(discriminator.type as string)) {
        throw new SnapshotError(`${sd.url}: ${element.id} is sliced by a "${discriminator.type}" discriminator, which is not supported`);
      }
    }
    for (const constraint of element.constraint ?? []) {
      if (constraint.source === sd.url && constraint.expression) {
        try {
          parseFhirPath(constraint.expression);
        } catch (error) {
          throw new SnapshotError(`${sd.url}: invariant ${constraint.key} is not valid FHIRPath: ${String(error)}`);
        }
      }
    }
  }
}
