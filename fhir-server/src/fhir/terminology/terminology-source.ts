import type { CodeSystem, ValueSet } from '@medplum/fhirtypes';
import type { ElementIndex } from '../../definitions/element-index';
import type { FhirRepository } from '../../storage/fhir-repository';

/**
 * Where code systems and value sets come from, by canonical URL
 * (http://hl7.org/fhir/R4/references.html#canonical). `url|version` pins a version.
 */
export interface TerminologySource {
  codeSystem(canonical: string): Promise<CodeSystem | undefined>;
  valueSet(canonical: string): Promise<ValueSet | undefined>;
}

type CanonicalResource = CodeSystem | ValueSet;

export function splitCanonical(canonical: string): { url: string; version?: string } {
  const bar = canonical.indexOf('|');
  return bar < 0 ? { url: canonical } : { url: canonical.slice(0, bar), version: canonical.slice(bar + 1) || undefined };
}

/**
 * Reads code systems and value sets from the database on every request, so an admin's update
 * (a new or retired specialty) is seen at once, by every server process. The base FHIR R4
 * terminology (administrative-gender, ...) is the fallback for URLs the database does not hold.
 * Memoises per instance: create one per request.
 */
export function repositoryTerminology(repo: FhirRepository, fallback?: ElementIndex): TerminologySource {
  const memo = new Map<string, Promise<CanonicalResource | undefined>>();
  const find = <T extends CanonicalResource>(type: T['resourceType'], canonical: string): Promise<T | undefined> => {
    const key = `${type} ${canonical}`;
    let found = memo.get(key);
    if (!found) {
      found = findInRepository(repo, type, canonical).then(
        (stored) => stored ?? (type === 'CodeSystem' ? fallback?.codeSystem(canonical) : fallback?.valueSet(canonical)),
      );
      memo.set(key, found);
    }
    return found as Promise<T | undefined>;
  };
  return {
    codeSystem: (canonical) => find<CodeSystem>('CodeSystem', canonical),
    valueSet: (canonical) => find<ValueSet>('ValueSet', canonical),
  };
}

async function findInRepository(repo: FhirRepository, type: string, canonical: string): Promise<CanonicalResource | undefined> {
  const { url, version } = splitCanonical(canonical);
  const byId = await readByCanonicalId(repo, type, url);
  const page = await repo.search({
    resourceTypes: [type],
    filters: [{ code: 'url', type: 'uri', values: [{ value: url }] }],
    sort: [],
    count: 20,
    total: 'none',
  });
  const found = new Map<string, CanonicalResource>();
  for (const resource of [...(byId ? [byId] : []), ...page.entries.map((entry) => JSON.parse(entry.content) as CanonicalResource)]) {
    // The url check repeats the search's own filter on purpose: a lookup must never answer with
    // another canonical's resource.
    if (resource.url === url && (!version || resource.version === version)) {
      found.set(resource.id as string, resource);
    }
  }
  return pickCurrent([...found.values()]);
}

/**
 * A canonical URL shaped `.../ValueSet/<id>` usually names the resource stored under that id
 * (the packaged terminology is): a primary-key read finds it without a search.
 */
async function readByCanonicalId(repo: FhirRepository, type: string, url: string): Promise<CanonicalResource | undefined> {
  const match = new RegExp(`/${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(url);
  const stored = match ? await repo.readCurrent(type, match[1]) : undefined;
  return stored && !stored.deleted ? (JSON.parse(stored.content) as CanonicalResource) : undefined;
}

/** Among versions of one canonical, the active one, else the most recently dated. */
function pickCurrent(candidates: CanonicalResource[]): CanonicalResource | undefined {
  const ranked = [...candidates].sort(
    (a, b) => Number(b.status === 'active') - Number(a.status === 'active') || (b.date ?? '').localeCompare(a.date ?? ''),
  );
  return ranked[0];
}

/** A fixed set of resources (tests, and validating a package before it is loaded). */
export function staticTerminology(resources: readonly CanonicalResource[], fallback?: ElementIndex): TerminologySource {
  const find = <T extends CanonicalResource>(type: T['resourceType'], canonical: string): T | undefined => {
    const { url, version } = splitCanonical(canonical);
    return pickCurrent(resources.filter((r) => r.resourceType === type && r.url === url && (!version || r.version === version))) as
      T | undefined;
  };
  return {
    codeSystem: async (canonical) => find<CodeSystem>('CodeSystem', canonical) ?? fallback?.codeSystem(canonical),
    valueSet: async (canonical) => find<ValueSet>('ValueSet', canonical) ?? fallback?.valueSet(canonical),
  };
}
