import type { CapabilityStatement, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { appliesToType, type FhirOperation } from './operations/fhir-operation';
import { OPERATIONS } from './operations/registry';
import { EXPORT_STATUS_PATH } from './operations/system-export';
import { IMPORT_STATUS_PATH } from './operations/system-import';

type Operation = Record<string, unknown>;
type PathItem = Record<string, Operation>;

const FHIR_JSON = 'application/fhir+json';
const resourceBody = (type: string) => ({ required: true, content: { [FHIR_JSON]: { schema: { $ref: `#/components/schemas/${type}` } } } });
const fhirResponses = (status: string, description: string): Operation => ({
  [status]: { description, content: { [FHIR_JSON]: { schema: { type: 'object' } } } },
  default: { description: 'OperationOutcome', content: { [FHIR_JSON]: { schema: { $ref: '#/components/schemas/OperationOutcome' } } } },
});
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/**
 * OpenAPI 3 of the FHIR REST API, generated from the CapabilityStatement (resource types, their
 * interactions and search parameters) and the operation registry (levels and parameters), so
 * it lists exactly what is implemented; plus the document and bulk routes beside FHIR JSON.
 */
export function openApiDocument(statement: CapabilityStatement, baseUrl: string): Record<string, unknown> {
  const rest = statement.rest?.[0];
  const paths: Record<string, PathItem> = {
    '/metadata': {
      get: { tags: ['System'], summary: 'CapabilityStatement', security: [], responses: fhirResponses('200', 'CapabilityStatement') },
    },
    '/': {
      post: {
        tags: ['System'],
        summary: 'batch or transaction Bundle',
        requestBody: resourceBody('Bundle'),
        responses: fhirResponses('200', 'Bundle of responses'),
      },
      get: { tags: ['System'], summary: 'search all types (_type)', responses: fhirResponses('200', 'searchset Bundle') },
    },
    '/_history': { get: { tags: ['System'], summary: 'history of all types', responses: fhirResponses('200', 'history Bundle') } },
  };
  for (const op of OPERATIONS.filter((o) => o.definition.system)) {
    addOperation(paths, `/$${op.definition.code}`, op, 'System');
  }
  for (const resource of rest?.resource ?? []) {
    addResource(paths, resource);
  }
  addDocumentAndBulkRoutes(paths);
  return {
    openapi: '3.0.3',
    info: { title: statement.title ?? 'FHIR API', version: statement.software?.version ?? '0', description: 'FHIR R4 REST API (JSON)' },
    servers: [{ url: baseUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'SMART on FHIR access token' } },
      schemas: Object.fromEntries(
        ['OperationOutcome', 'Bundle', 'Parameters', ...(rest?.resource ?? []).map((r) => r.type as string)].map((type) => [
          type,
          {
            type: 'object',
            required: ['resourceType'],
            properties: { resourceType: { type: 'string', enum: [type] } },
            additionalProperties: true,
          },
        ]),
      ),
    },
    paths,
  };
}

function addResource(paths: Record<string, PathItem>, resource: CapabilityStatementRestResource): void {
  const type = resource.type as string;
  const has = new Set((resource.interaction ?? []).map((i) => i.code));
  const tags = [type];
  const typePath: PathItem = {};
  if (has.has('search-type')) {
    typePath.get = {
      tags,
      summary: `search ${type}`,
      parameters: (resource.searchParam ?? []).map((p) => ({
        name: p.name,
        in: 'query',
        required: false,
        schema: { type: 'string' },
        description: p.type,
      })),
      responses: fhirResponses('200', 'searchset Bundle'),
    };
  }
  if (has.has('create')) {
    typePath.post = { tags, summary: `create ${type}`, requestBody: resourceBody(type), responses: fhirResponses('201', 'created') };
  }
  paths[`/${type}`] = typePath;
  const instancePath: PathItem = {};
  if (has.has('read')) {
    instancePath.get = { tags, summary: `read ${type}`, parameters: [idParam], responses: fhirResponses('200', type) };
  }
  if (has.has('update')) {
    instancePath.put = {
      tags,
      summary: `update ${type}`,
      parameters: [idParam],
      requestBody: resourceBody(type),
      responses: fhirResponses('200', type),
    };
  }
  if (has.has('patch')) {
    instancePath.patch = {
      tags,
      summary: `patch ${type} (JSON Patch, or FHIRPath Patch as Parameters)`,
      parameters: [idParam],
      requestBody: {
        required: true,
        content: {
          'application/json-patch+json': { schema: { type: 'array', items: { type: 'object' } } },
          [FHIR_JSON]: { schema: { $ref: '#/components/schemas/Parameters' } },
        },
      },
      responses: fhirResponses('200', type),
    };
  }
  if (has.has('delete')) {
    instancePath.delete = { tags, summary: `delete ${type}`, parameters: [idParam], responses: { '204': { description: 'deleted' } } };
  }
  paths[`/${type}/{id}`] = instancePath;
  if (has.has('history-instance')) {
    paths[`/${type}/{id}/_history`] = {
      get: { tags, summary: `history of one ${type}`, parameters: [idParam], responses: fhirResponses('200', 'history Bundle') },
    };
  }
  if (has.has('vread')) {
    const vid = { name: 'vid', in: 'path', required: true, schema: { type: 'string' } };
    paths[`/${type}/{id}/_history/{vid}`] = {
      get: { tags, summary: `vread ${type}`, parameters: [idParam, vid], responses: fhirResponses('200', type) },
    };
  }
  if (has.has('history-type')) {
    paths[`/${type}/_history`] = { get: { tags, summary: `history of all ${type}`, responses: fhirResponses('200', 'history Bundle') } };
  }
  for (const op of OPERATIONS.filter((o) => appliesToType(o, type))) {
    if (op.definition.type) {
      addOperation(paths, `/${type}/$${op.definition.code}`, op, type);
    }
    if (op.definition.instance) {
      addOperation(paths, `/${type}/{id}/$${op.definition.code}`, op, type);
    }
  }
}

function addOperation(paths: Record<string, PathItem>, path: string, op: FhirOperation, tag: string): void {
  const inputs = (op.definition.parameter ?? []).filter((p) => p.use === 'in');
  const item: PathItem = {};
  const summary = `$${op.definition.code}${op.definition.name ? ` (${op.definition.name})` : ''}`;
  const pathParams = path.includes('{id}') ? [idParam] : [];
  if (!op.definition.affectsState) {
    item.get = {
      tags: [tag],
      summary,
      parameters: [
        ...pathParams,
        ...inputs.map((p) => ({ name: p.name, in: 'query', required: false, schema: { type: 'string' }, description: p.documentation })),
      ],
      responses: fhirResponses('200', 'result'),
    };
  }
  item.post = {
    tags: [tag],
    summary,
    parameters: pathParams,
    requestBody: resourceBody('Parameters'),
    responses: fhirResponses('200', 'result'),
  };
  paths[path] = item;
}

/** The routes where bytes, not FHIR JSON, cross HTTP (http/document-routes.ts, http/bulk-export-routes.ts). */
function addDocumentAndBulkRoutes(paths: Record<string, PathItem>): void {
  const binary = { tags: ['Binary'] };
  paths['/Binary'] = {
    ...paths['/Binary'],
    post: {
      ...binary,
      summary: 'upload raw bytes as a Binary (X-Security-Context: Patient/<id>)',
      parameters: [{ name: 'X-Security-Context', in: 'header', required: false, schema: { type: 'string' } }],
      requestBody: { required: true, content: { 'application/pdf': {}, 'image/png': {}, 'image/jpeg': {}, 'application/dicom': {} } },
      responses: fhirResponses('201', 'Binary'),
    },
  };
  paths['/Binary/{id}'] = {
    ...paths['/Binary/{id}'],
    get: {
      ...binary,
      summary: 'the bytes (Range supported); Accept: application/fhir+json for the resource',
      parameters: [idParam],
      responses: { '200': { description: 'content' }, '206': { description: 'range' } },
    },
  };
  paths['/DocumentReference/$upload'] = {
    post: {
      tags: ['DocumentReference'],
      summary: 'upload a file and its DocumentReference (multipart; fields before the file)',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: {
                ...Object.fromEntries(
                  ['patient', 'practitioner', 'title', 'category', 'type', 'date', 'encounter', 'description'].map((f) => [
                    f,
                    { type: 'string' },
                  ]),
                ),
                file: { type: 'string', format: 'binary' },
              },
              required: ['file'],
            },
          },
        },
      },
      responses: fhirResponses('201', 'DocumentReference'),
    },
  };
  const job = { name: 'job', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
  const file = { name: 'file', in: 'path', required: true, schema: { type: 'string' } };
  const token = {
    name: 'token',
    in: 'query',
    required: false,
    schema: { type: 'string' },
    description: 'the signature of a manifest link',
  };
  for (const [path, name] of [
    [EXPORT_STATUS_PATH, '$export'],
    [IMPORT_STATUS_PATH, '$import'],
  ]) {
    paths[`/${path}/{job}`] = {
      get: {
        tags: ['Bulk Data'],
        summary: `${name} status: 202 while running, 200 and the manifest when done`,
        parameters: [job],
        responses: { '200': { description: 'manifest' }, '202': { description: 'in progress' } },
      },
      delete: {
        tags: ['Bulk Data'],
        summary: `cancel the ${name.slice(1)}`,
        parameters: [job],
        responses: { '202': { description: 'cancelled' } },
      },
    };
    paths[`/${path}/{job}/{file}`] = {
      get: {
        tags: ['Bulk Data'],
        summary: `an NDJSON file of the ${name.slice(1)} (the manifest's signed link needs no token)`,
        security: [{}, { bearer: [] }],
        parameters: [job, file, token],
        responses: { '200': { description: 'NDJSON', content: { 'application/fhir+ndjson': {} } } },
      },
    };
  }
}
