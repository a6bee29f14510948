import { limitIndexedText } from '../indexing/indexed-text';
import type { ParameterFilter, SearchValue } from '../search-query';
import { InvalidSearchError } from '../storage-errors';
import { isResourceType } from '../../definitions';
import { anchor, literal, sql, type Sql } from './sql-fragment';

const LOCAL = /^([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;
const ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * One reference value against an `sp_reference` row (search.html#reference): `Type/id`
 * (also with `/_history/n`), a bare id (any of the parameter's target types, or the `:Type`
 * modifier's), an absolute URL or canonical (`url|version` matches the url). Absolute URLs of
 * this server arrive here already made relative by the parser.
 */
export function referenceCondition(x: string, filter: ParameterFilter, value: SearchValue): Sql {
  const typeModifier = filter.modifier && /^[A-Z]/.test(filter.modifier) ? filter.modifier : undefined;
  if (value.parts) {
    return urlCondition(x, value.parts[0]);
  }
  const local = LOCAL.exec(value.value);
  if (local) {
    if (typeModifier && local[1] !== typeModifier) {
      throw new InvalidSearchError(`${filter.code}:${typeModifier} cannot match ${value.value}`);
    }
    return sql(`${x}.target_id = ? AND ${x}.target_type = ?`, anchor(local[2]), typeName(local[1]));
  }
  if (ID.test(value.value)) {
    if (typeModifier) {
      return sql(`${x}.target_id = ? AND ${x}.target_type = ?`, anchor(value.value), typeName(typeModifier));
    }
    if (filter.targetTypes?.length === 1) {
      return sql(`${x}.target_id = ? AND ${x}.target_type = ?`, anchor(value.value), typeName(filter.targetTypes[0]));
    }
    return sql(`${x}.target_id = ?`, anchor(value.value));
  }
  return urlCondition(x, value.value);
}

/**
 * A reference stored by url only: one without a local target (another server's URL, a
 * canonical), the only kind `sp_reference_url_idx` holds. A local one (`Type/id`) is stored with
 * its target, which the condition then names.
 */
function urlCondition(x: string, url: string): Sql {
  const local = LOCAL.exec(url);
  if (local) {
    return sql(`${x}.target_id = ? AND ${x}.target_type = ?`, anchor(local[2]), typeName(local[1]));
  }
  return sql(`${x}.target_id IS NULL AND ${x}.url = ?`, limitIndexedText(url));
}

/** A target type as a literal when it is a resource type: one of a closed set, unlike any text a client sends. */
function typeName(type: string): unknown {
  return isResourceType(type) ? literal(type) : type;
}
