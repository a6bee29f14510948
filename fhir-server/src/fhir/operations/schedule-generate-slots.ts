import { materialiseSlots } from '../../domain/scheduling/slot-materialiser';
import type { Schedule } from '@medplum/fhirtypes';
import type { AccessContext } from '../../auth/access-context';
import { forbidden, notFound } from '../outcomes';
import { scheduling, settingsOf } from '../scheduling/scheduling-outcome';
import type { FhirOperation } from './fhir-operation';
import { outputParameters } from './parameters';

/**
 * `Schedule/[id]/$generate-slots`: materialises the schedule's free slots from its
 * PractitionerRole's availability rules for SLOT_HORIZON_DAYS (the job and every rule change
 * do the same). Slots are written with the caller's access: the doctor of the schedule or an
 * administrator.
 */
export const scheduleGenerateSlots: FhirOperation = {
  definition: {
    resourceType: 'OperationDefinition',
    id: 'Schedule-generate-slots',
    url: 'https://medbuddy.dev/fhir/OperationDefinition/Schedule-generate-slots',
    name: 'GenerateSlots',
    status: 'active',
    kind: 'operation',
    code: 'generate-slots',
    resource: ['Schedule'],
    system: false,
    type: false,
    instance: true,
    affectsState: true,
    parameter: [
      { name: 'created', use: 'out', min: 1, max: '1', type: 'integer' },
      { name: 'removed', use: 'out', min: 1, max: '1', type: 'integer' },
    ],
  },
  async handle(ctx, _request, target) {
    const id = target.id as string;
    const visible = await ctx.repo.readCurrent('Schedule', id);
    if (!visible || visible.deleted) {
      throw notFound(`Schedule/${id} not found`);
    }
    if (!mayManage(ctx.access, JSON.parse(visible.content) as Schedule)) {
      throw forbidden(`Only the doctor of Schedule/${id} or an administrator generates its slots`);
    }
    const result = await scheduling(() => materialiseSlots(ctx.repo, id, Date.now(), settingsOf(ctx).horizonDays));
    return {
      status: 200,
      resource: outputParameters([
        { name: 'created', valueInteger: result.created },
        { name: 'removed', valueInteger: result.removed },
      ]),
    };
  },
};

function mayManage(access: AccessContext, schedule: Schedule): boolean {
  const principal = access.principal;
  if (access.unrestricted || (principal.kind === 'user' && principal.role === 'admin')) {
    return true;
  }
  return principal.kind === 'user' && principal.role === 'doctor' && (schedule.actor ?? []).some((a) => a.reference === principal.profile);
}
