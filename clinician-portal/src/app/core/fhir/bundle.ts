import type { Bundle, BundleLink, ExtractResource, Resource, ResourceType } from '@medplum/fhirtypes';

/**
 * The resources a search matched, in the server's order (search.html#return: entries with
 * `search.mode` = `match`, or without a mode).
 */
export function matches<T extends Resource>(bundle: Bundle<T>): T[] {
  return (bundle.entry ?? [])
    .filter((entry) => entry.resource && (entry.search?.mode ?? 'match') === 'match')
    .map((entry) => entry.resource as T);
}

/** Resources of one type anywhere in the Bundle, e.g. the `_include`d Practitioners. */
export function resourcesOfType<K extends ResourceType>(bundle: Bundle, resourceType: K): ExtractResource<K>[] {
  return (bundle.entry ?? [])
    .map((entry) => entry.resource)
    .filter((resource): resource is ExtractResource<K> => resource?.resourceType === resourceType);
}

/** A resource in the Bundle by its reference (`Practitioner/123`), e.g. to resolve an include. */
export function resolveReference<K extends ResourceType>(bundle: Bundle, reference: string | undefined): ExtractResource<K> | undefined {
  if (!reference) {
    return undefined;
  }
  const [resourceType, id] = reference.split('/').slice(-2);
  return (bundle.entry ?? []).find((entry) => entry.resource?.resourceType === resourceType && entry.resource.id === id)?.resource as
    ExtractResource<K> | undefined;
}

/** The URL of a paging link (bundle.html#paging): `next`, `previous`, `first`, `last`, `self`. */
export function linkUrl(bundle: Bundle, relation: BundleLink['relation']): string | undefined {
  return bundle.link?.find((link) => link.relation === relation)?.url;
}
