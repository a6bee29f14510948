/** The search index rows of one resource version, one array per index table (sp_<type>). */
export interface IndexRows {
  readonly string: { param: string; value: string; raw: string }[];
  readonly token: { param: string; system: string | null; code: string | null; display: string | null }[];
  readonly date: { param: string; low: string; high: string }[];
  readonly number: { param: string; low: number; high: number }[];
  readonly quantity: {
    param: string;
    low: number;
    high: number;
    system: string | null;
    code: string | null;
    unit: string | null;
  }[];
  readonly reference: { param: string; target_type: string | null; target_id: string | null; url: string }[];
  readonly uri: { param: string; value: string }[];
}

export type IndexTable = keyof IndexRows;

export const INDEX_TABLES: readonly IndexTable[] = ['string', 'token', 'date', 'number', 'quantity', 'reference', 'uri'];

/** Column list of each sp_<type> table after (resource_type, resource_id). */
export const INDEX_COLUMNS: Record<IndexTable, readonly string[]> = {
  string: ['param', 'value', 'raw'],
  token: ['param', 'system', 'code', 'display'],
  date: ['param', 'low', 'high'],
  number: ['param', 'low', 'high'],
  quantity: ['param', 'low', 'high', 'system', 'code', 'unit'],
  reference: ['param', 'target_type', 'target_id', 'url'],
  uri: ['param', 'value'],
};

export function emptyIndexRows(): IndexRows {
  return { string: [], token: [], date: [], number: [], quantity: [], reference: [], uri: [] };
}
