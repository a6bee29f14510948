import { loadFhirDefinitions } from '../src/definitions';
import { catalogOrDefault } from '../src/fhir/search/registry';
import { parseSearchRequest } from '../src/fhir/search/parse';
import { withDerivations } from '../src/storage/search-sql/reference-param';
import { compileSearch } from '../src/storage/search-sql/builder';
import { toPositionalSql } from '../src/storage/sql-executor';

loadFhirDefinitions();
const [type, qs] = process.argv[2].split('?');
const params = new URLSearchParams(qs);
const { query } = parseSearchRequest(type, params);
const count = Number(params.get('_count') ?? 20);
const sorted = { ...query, count } as typeof query;
const compiled = compileSearch(withDerivations(sorted, catalogOrDefault(undefined)));
compiled.pages.forEach((p, i) => {
  const lit = (v: unknown) => (v === null ? 'NULL' : Array.isArray(v) ? `'{${v.map((x) => `"${x}"`).join(',')}}'` : `'${String(v).replace(/'/g, "''")}'`);
  const b = [...p.bindings, count + 1];
  let n = 0;
  const text = toPositionalSql(p.text).replace(/\$(\d+)/g, (_, d) => lit(b[Number(d) - 1]));
  void n;
  console.log(`-- page ${i}\n${text};`);
});
