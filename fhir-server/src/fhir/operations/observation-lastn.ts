import type { Bundle, Observation, OperationDefinition } from '@medplum/fhirtypes';
import { entryList } from '../bundles/entry-list';
import { allMatches } from '../interactions/search';
import { parseStored } from '../interactions/stored-resource';
import { badRequest } from '../outcomes';
import { pageLink } from '../paging';
import type { FhirOperation } from './fhir-operation';

/** At most this many observations of the search are looked at; more is a 400 asking for a narrower one. */
const MAX_OBSERVATIONS = 10_000;
const MAX_PER_CODE = 100;
/** Parameters that would change which observations count or their order: $lastn sets them itself. */
const RESULT_CONTROL = ['_sort', '_count', '_cursor', '_total', '_summary', '_elements', '_include', '_revinclude'];

/**
 * `GET Observation/$lastn?patient=...&max=n` (observation-operation-lastn.html): the most recent
 * `max` (default 1) observations of each code, newest first by `date` (effective time), among
 * those the other search parameters find (`category=vital-signs`, `code=`, `date=ge...`): the
 * latest vitals before a consultation. A patient (or subject) must be named; the caller's access
 * filter applies as to every search.
 */
export const observationLastN: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Observation-lastn',
    url: 'http://hl7.org/fhir/OperationDefinition/Observation-lastn',
    name: 'LastN',
    status: 'active',
    kind: 'operation',
    code: 'lastn',
    resource: ['Observation'] as OperationDefinition['resource'],
    system: false,
    type: true,
    instance: false,
    affectsState: false,
    parameter: [
      { name: 'max', use: 'in', min: 0, max: '1', type: 'positiveInt' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
    ],
  },
  async handle(ctx, request) {
    if (request.body !== undefined) {
      throw badRequest('$lastn takes its parameters as search parameters in the URL (GET)');
    }
    const query = new URLSearchParams(request.query);
    const max = parseMax(query.get('max'));
    query.delete('max');
    if (![...query.keys()].some((name) => /^(patient|subject)([:.]|$)/.test(name))) {
      throw badRequest('$lastn needs the patient (or subject) whose observations to return', 'patient');
    }
    const controlled = RESULT_CONTROL.filter((name) => query.has(name));
    if (controlled.length > 0) {
      throw badRequest(`$lastn orders and groups the observations itself; ${controlled.join(', ')} cannot be given`);
    }
    query.set('_sort', '-date');
    const matches = await allMatches(ctx, { ...request, query }, 'Observation', MAX_OBSERVATIONS);
    const perCode = new Map<string, number>();
    const latest = matches
      .map((stored) => ({ id: stored.id, observation: parseStored(stored) as Observation }))
      .filter(({ observation }) => {
        const code = codeKey(observation);
        const seen = perCode.get(code) ?? 0;
        perCode.set(code, seen + 1);
        return seen < max;
      });
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: latest.length,
      link: [{ relation: 'self', url: pageLink(ctx.baseUrl, 'Observation/$lastn', request.query, {}) }],
      ...entryList(
        latest.map(({ id, observation }) => ({
          fullUrl: `${ctx.baseUrl}/Observation/${id}`,
          resource: observation,
          search: { mode: 'match' },
        })),
      ),
    };
    return { status: 200, resource: bundle };
  },
};

function parseMax(raw: string | null): number {
  if (raw === null) {
    return 1;
  }
  if (!/^\d{1,3}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PER_CODE) {
    throw badRequest(`max must be a whole number from 1 to ${MAX_PER_CODE}, not "${raw}"`, 'max');
  }
  return Number(raw);
}

/** What observations are grouped by: the first coding of Observation.code (system and code), else its text. */
function codeKey(observation: Observation): string {
  const coding = observation.code?.coding?.[0];
  return coding ? `${coding.system ?? ''}|${coding.code ?? ''}` : `text:${observation.code?.text ?? ''}`;
}
