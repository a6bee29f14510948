import { loadFhirDefinitions } from '../src/definitions';
import { catalogOrDefault } from '../src/fhir/search/registry';
import { parseSearchRequest } from '../src/fhir/search/parse';
import { withDerivations } from '../src/storage/search-sql/reference-param';
import { compileSearch } from '../src/storage/search-sql/builder';
import { toPositionalSql } from '../src/storage/sql-executor';

// Prints, for page 0 of a search: PREPARE p0 AS <sql>; and EXECUTE p0(<literals>);
loadFhirDefinitions();
const [type, qs] = process.argv[2].split('?');
const params = new URLSearchParams(qs);
const { query } = parseSearchRequest(type, params);
const count = Number(params.get('_count') ?? 20);
const compiled = compileSearch(withDerivations({ ...query, count }, catalogOrDefault(undefined)));
const lit = (v: unknown) =>
  v === null ? 'NULL' : Array.isArray(v) ? `'{${v.map((x) => `"${x}"`).join(',')}}'` : `'${String(v).replace(/'/g, "''")}'`;
const page = compiled.pages[Number(process.argv[3] ?? 0)];
const b = [...page.bindings, count + 1];
console.log(`PREPARE p0 AS ${toPositionalSql(page.text)};`);
console.log(`-- EXECUTE\nEXECUTE p0(${b.map(lit).join(', ')});`);
