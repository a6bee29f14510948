import type { Coding, Meta } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';

/** The parts of meta that `$meta-add` and `$meta-delete` change: sets, per resource-operation-meta-add.html. */
export type MetaLabels = Pick<Meta, 'profile' | 'tag' | 'security'>;

const LABEL_KINDS = ['tag', 'security'] as const;

/**
 * The labels a `$meta-add` or `$meta-delete` names. A tag or security label is identified by
 * system and code, so one without a code names nothing: a 400 rather than a silent no-op.
 */
export function requireLabels(meta: Meta): MetaLabels {
  for (const kind of LABEL_KINDS) {
    if ((meta[kind] ?? []).some((coding) => typeof coding.code !== 'string')) {
      throw badRequest(`Every meta.${kind} of $meta-add and $meta-delete needs a code (its identity is system and code)`, `meta.${kind}`);
    }
  }
  return { profile: meta.profile, tag: meta.tag, security: meta.security };
}

/**
 * Adds profiles (matched by URL) and tags and security labels (matched by system and code;
 * version and display are ignored) that are not there yet.
 */
export function addLabels(meta: Meta | undefined, additions: MetaLabels): Meta {
  const profile = [...(meta?.profile ?? [])];
  for (const url of additions.profile ?? []) {
    if (!profile.includes(url)) {
      profile.push(url);
    }
  }
  const result: Meta = withList({ ...meta }, 'profile', profile);
  for (const kind of LABEL_KINDS) {
    const codings = [...(meta?.[kind] ?? [])];
    for (const coding of additions[kind] ?? []) {
      if (!codings.some((existing) => sameLabel(existing, coding))) {
        codings.push(coding);
      }
    }
    withList(result, kind, codings);
  }
  return result;
}

/** Removes the profiles, tags and security labels named (matched as addLabels matches them). */
export function removeLabels(meta: Meta | undefined, removals: MetaLabels): Meta {
  const result: Meta = withList(
    { ...meta },
    'profile',
    (meta?.profile ?? []).filter((url) => !(removals.profile ?? []).includes(url)),
  );
  for (const kind of LABEL_KINDS) {
    const kept = (meta?.[kind] ?? []).filter((coding) => !(removals[kind] ?? []).some((removed) => sameLabel(coding, removed)));
    withList(result, kind, kept);
  }
  return result;
}

/** Whether two metas carry the same profiles, tags and security labels, in the same order. */
export function sameLabels(a: Meta | undefined, b: Meta | undefined): boolean {
  const labels = (meta: Meta | undefined) => JSON.stringify([meta?.profile ?? [], meta?.tag ?? [], meta?.security ?? []]);
  return labels(a) === labels(b);
}

function sameLabel(a: Coding, b: Coding): boolean {
  return (a.system ?? '') === (b.system ?? '') && a.code === b.code;
}

/** Sets a list element, or leaves it out when empty (FHIR JSON has no empty arrays). */
function withList<K extends keyof MetaLabels>(meta: Meta, key: K, list: NonNullable<MetaLabels[K]>): Meta {
  if (list.length > 0) {
    meta[key] = list;
  } else {
    delete meta[key];
  }
  return meta;
}
