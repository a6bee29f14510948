import type { Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../fhir-request';
import { updateResource } from '../interactions/update';

/** A canonical resource shipped in a package folder (CodeSystem, ValueSet, Questionnaire, ...). */
type Packaged = Resource & { id: string; date?: string };

export interface SeedReport {
  readonly created: string[];
  readonly updated: string[];
}

/**
 * Stores the packaged resources under their own ids, so they are ordinary resources (readable,
 * searchable as `ValueSet?url=`, editable by admins). Idempotent and safe with several server
 * processes starting at once (one advisory lock per resource): a resource is created when it
 * never existed, replaced when the packaged `date` is later than the stored one (a new release
 * changed it), and otherwise left alone, so an admin's edit survives restarts. A resource an
 * admin deleted stays deleted.
 */
export async function seedPackagedResources(ctx: FhirContext, resources: readonly Resource[]): Promise<SeedReport> {
  const report = { created: [] as string[], updated: [] as string[] };
  for (const resource of resources as Packaged[]) {
    const reference = `${resource.resourceType}/${resource.id}`;
    await ctx.repo.transaction(async (repo) => {
      await repo.lock(`seed:${reference}`);
      const current = await repo.readCurrent(resource.resourceType, resource.id);
      if (current?.deleted) {
        return;
      }
      if (current && !isNewer(resource.date, (JSON.parse(current.content) as Packaged).date)) {
        return;
      }
      await updateResource({ ...ctx, repo }, resource.resourceType, resource.id, resource);
      (current ? report.updated : report.created).push(reference);
    });
  }
  return report;
}

function isNewer(packaged: string | undefined, stored: string | undefined): boolean {
  if (!packaged) {
    return false;
  }
  return !stored || Date.parse(packaged) > Date.parse(stored);
}
