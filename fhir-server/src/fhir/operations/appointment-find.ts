import type { Appointment, Bundle, Schedule, Slot } from '@medplum/fhirtypes';
import { DateTime, IANAZone } from 'luxon';
import { idIn } from '../../domain/scheduling/slot-checks';
import { badRequest } from '../outcomes';
import { parseSearchRequest } from '../search/parse';
import type { FhirOperation } from './fhir-operation';
import { OperationInput } from './parameters';
import { entryList } from '../bundles/entry-list';

const MAX_RESULTS = 200;

/**
 * `Appointment/$find` (Argonaut scheduling): open slots as proposed Appointments, soonest first.
 * Filters: specialty (code), practitioner (Practitioner/<id>), start/end (the range the slot
 * must start in; default from now on) and timezone (IANA): start and end are written with that
 * zone's offset, the same instants either way. Only free slots of verified doctors are found
 * (the public directory filter of storage).
 */
export const appointmentFind: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Appointment-find',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Appointment-find',
    name: 'Find',
    status: 'active',
    kind: 'operation',
    code: 'find',
    resource: ['Appointment'],
    system: false,
    type: true,
    instance: false,
    affectsState: false,
    parameter: [
      { name: 'specialty', use: 'in', min: 0, max: '1', type: 'code' },
      { name: 'practitioner', use: 'in', min: 0, max: '1', type: 'string', documentation: 'Practitioner/<id>' },
      { name: 'start', use: 'in', min: 0, max: '1', type: 'dateTime' },
      { name: 'end', use: 'in', min: 0, max: '1', type: 'dateTime' },
      { name: 'timezone', use: 'in', min: 0, max: '1', type: 'code', documentation: 'IANA time zone to express times in' },
      { name: '_count', use: 'in', min: 0, max: '1', type: 'integer' },
      { name: 'return', use: 'out', min: 1, max: '1', type: 'Bundle' },
    ],
  },
  async handle(ctx, request) {
    const input = OperationInput.read(appointmentFind.definition, request);
    const zone = input.string('timezone') ?? 'UTC';
    if (!IANAZone.isValidZone(zone)) {
      throw badRequest(`Unknown IANA time zone "${zone}"`, 'timezone');
    }
    const start = instant(input.string('start'), 'start') ?? new Date().toISOString();
    const end = instant(input.string('end'), 'end');
    if (end && Date.parse(end) <= Date.parse(start)) {
      throw badRequest('end must be after start', 'end');
    }
    const count = Math.min(Number(request.query.get('_count') ?? input.integer('_count') ?? 20), MAX_RESULTS);
    if (!Number.isInteger(count) || count < 1) {
      throw badRequest('_count must be a positive integer', '_count');
    }
    const params = new URLSearchParams({ status: 'free', _sort: 'start', _count: String(count) });
    params.append('start', `ge${start}`);
    if (end) {
      params.append('start', `lt${end}`);
    }
    const specialty = input.string('specialty');
    if (specialty) {
      params.set('specialty', specialty);
    }
    const practitioner = input.string('practitioner');
    if (practitioner) {
      const id = idIn(practitioner, 'Practitioner') ?? practitioner;
      params.set('schedule.actor', `Practitioner/${id}`);
    }
    await ctx.repo.syncSearchParameters();
    const { query } = parseSearchRequest('Slot', params, { catalog: ctx.repo.searchParameters, baseUrl: ctx.baseUrl });
    const page = await ctx.repo.search(query);
    const slots = page.entries.filter((e) => !e.deleted).map((e) => JSON.parse(e.content) as Slot & { id: string });
    const scheduleIds = [...new Set(slots.map((s) => idIn(s.schedule?.reference, 'Schedule')).filter((id): id is string => !!id))];
    const schedules = new Map(
      (await ctx.repo.readMany(scheduleIds.map((id) => ({ resourceType: 'Schedule', id })))).map((s) => [
        s.id,
        JSON.parse(s.content) as Schedule,
      ]),
    );
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: slots.length,
      ...entryList(
        slots.map((slot) => ({
          resource: proposal(slot, schedules.get(idIn(slot.schedule?.reference, 'Schedule') ?? ''), zone),
          search: { mode: 'match' },
        })),
      ),
    };
    return { status: 200, resource: bundle };
  },
};

function instant(value: string | undefined, name: string): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const parsed = DateTime.fromISO(value, { setZone: true });
  if (!parsed.isValid || !/T/.test(value)) {
    throw badRequest(`${name} must be a dateTime with a time and offset, not "${value}"`, name);
  }
  return parsed.toUTC().toISO() as string;
}

function proposal(slot: Slot & { id: string }, schedule: Schedule | undefined, zone: string): Appointment {
  const local = (iso: string) => DateTime.fromISO(iso).setZone(zone).toISO({ suppressMilliseconds: true }) as string;
  return {
    resourceType: 'Appointment',
    status: 'proposed',
    specialty: slot.specialty,
    serviceType: slot.serviceType,
    start: local(slot.start),
    end: local(slot.end),
    slot: [{ reference: `Slot/${slot.id}` }],
    participant: (schedule?.actor ?? []).map((actor) => ({ actor, status: 'needs-action' as const })),
  };
}
