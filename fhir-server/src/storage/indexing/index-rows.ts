/**
 * The search index rows of one resource version, one array per index table (sp_<type>).
 * `grp` ties together the component rows of one composite value (null for other rows).
 */
export interface IndexRows {
  readonly string: StringRow[];
  readonly token: TokenRow[];
  readonly date: DateRow[];
  readonly number: NumberRow[];
  readonly quantity: QuantityRow[];
  readonly reference: ReferenceRow[];
  readonly uri: UriRow[];
  readonly text: TextRow[];
}

interface Row {
  param: string;
  grp?: number;
}

/** `value` is normalised for case- and accent-insensitive matching; `raw` is as written. */
export interface StringRow extends Row {
  value: string;
  raw: string;
}

/** `display` is the normalised display or text, for `:text`. */
export interface TokenRow extends Row {
  system: string | null;
  code: string | null;
  display: string | null;
}

/** The instants a value covers, inclusive, to the millisecond (ISO strings; `-infinity`/`infinity` when open). */
export interface DateRow extends Row {
  low: string;
  high: string;
}

export interface NumberRow extends Row {
  low: number;
  high: number;
}

export interface QuantityRow extends Row {
  low: number;
  high: number;
  system: string | null;
  code: string | null;
  unit: string | null;
}

/** Local references carry target type and id; `url` is `Type/id` for them, else the reference as written. */
export interface ReferenceRow extends Row {
  target_type: string | null;
  target_id: string | null;
  url: string;
}

export interface UriRow extends Row {
  value: string;
}

/** A full-text document (`_content`, `_text`): `doc` is a tsvector literal of its words (full-text.ts). */
export interface TextRow extends Row {
  doc: string;
}

export type IndexTable = keyof IndexRows;

export const INDEX_TABLES: readonly IndexTable[] = ['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri', 'text'];

/** Column list of each sp_<type> table after (resource_type, resource_id). */
export const INDEX_COLUMNS: Record<IndexTable, readonly string[]> = {
  string: ['param', 'value', 'raw', 'grp'],
  token: ['param', 'system', 'code', 'display', 'grp'],
  date: ['param', 'low', 'high', 'grp'],
  number: ['param', 'low', 'high', 'grp'],
  quantity: ['param', 'low', 'high', 'system', 'code', 'unit', 'grp'],
  reference: ['param', 'target_type', 'target_id', 'url', 'grp'],
  uri: ['param', 'value', 'grp'],
  text: ['param', 'doc'],
};

/** The SQL type of an index column (for json_to_recordset column lists). */
export function indexColumnType(table: IndexTable, column: string): string {
  if (column === 'grp') {
    return 'integer';
  }
  if (table === 'date' && (column === 'low' || column === 'high')) {
    return 'timestamptz';
  }
  if ((table === 'number' || table === 'quantity') && (column === 'low' || column === 'high')) {
    return 'numeric';
  }
  if (table === 'text' && column === 'doc') {
    return 'tsvector';
  }
  return 'text';
}

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], date: [], number: [], quantity: [], reference: [], uri: [], text: [] };
}
