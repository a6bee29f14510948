import type { Appointment, PractitionerRole, Resource, Schedule } from '@medplum/fhirtypes';
import { FULL_ACCESS } from '../../auth/access-context';
import { releaseFreedSlots } from '../../domain/scheduling/appointment-changes';
import { availabilityRules } from '../../domain/scheduling/availability-rules';
import { completeFollowUps } from '../../domain/scheduling/follow-ups';
import { materialiseSlots, schedulesOfRole } from '../../domain/scheduling/slot-materialiser';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { scheduling, settingsOf } from './scheduling-outcome';

/** Types whose REST writes have scheduling effects, run in the write's transaction. */
const EFFECTS: Record<string, (ctx: FhirContext, resource: Resource) => Promise<void>> = {
  PractitionerRole: afterRoleWrite,
  Schedule: afterScheduleWrite,
  Appointment: afterAppointmentWrite,
};

/**
 * Runs a create, update or patch; for the types above, in one transaction with its scheduling
 * effects: availability rules are checked (bad rules: 400, nothing written) and the slots of
 * the role's schedules regenerated; an Appointment cancelled by a plain write frees its slots,
 * a fulfilled one completes the follow-up it was based on.
 */
export async function withSchedulingEffects(
  ctx: FhirContext,
  resourceType: string,
  write: (ctx: FhirContext) => Promise<FhirResponse>,
): Promise<FhirResponse> {
  const effect = EFFECTS[resourceType];
  if (!effect) {
    return write(ctx);
  }
  return ctx.repo.transaction(async (repo) => {
    const txCtx = { ...ctx, repo };
    const response = await write(txCtx);
    const resource = response.resource ?? (response.resourceText ? (JSON.parse(response.resourceText) as Resource) : undefined);
    if (resource) {
      await scheduling(() => effect(txCtx, resource));
    }
    return response;
  });
}

async function afterRoleWrite(ctx: FhirContext, resource: Resource): Promise<void> {
  const role = resource as PractitionerRole & { id: string };
  availabilityRules(role);
  for (const scheduleId of await schedulesOfRole(ctx.repo, role.id)) {
    await materialiseSlots(ctx.repo, scheduleId, Date.now(), settingsOf(ctx).horizonDays);
  }
}

async function afterScheduleWrite(ctx: FhirContext, resource: Resource): Promise<void> {
  const schedule = resource as Schedule & { id: string };
  if (schedule.actor?.some((a) => /(?:^|\/)PractitionerRole\//.test(a.reference ?? ''))) {
    await materialiseSlots(ctx.repo, schedule.id, Date.now(), settingsOf(ctx).horizonDays);
  }
}

async function afterAppointmentWrite(ctx: FhirContext, resource: Resource): Promise<void> {
  const appointment = resource as Appointment;
  const system = ctx.repo.withAccess(FULL_ACCESS);
  await releaseFreedSlots(system, appointment, Date.now());
  await completeFollowUps(system, appointment);
}
