import type { Appointment } from '@medplum/fhirtypes';
import type { ConsultationSettings } from '../../domain/consultations/consultation-settings';
import { noShowAfter } from '../../domain/consultations/consultation-window';
import type { FhirContext } from '../fhir-request';
import { parseStored } from '../interactions/stored-resource';
import { parseSearchRequest } from '../search/parse';
import { currentResource, saveStatusChange } from './consultation-records';

/** Appointments marked per run at most; the next run continues. */
const BATCH = 200;

/** Advisory lock key of the sweep: one server process at a time runs it. */
export const NO_SHOW_LOCK_KEY = 'job:appointment-no-show';

/**
 * Marks booked appointments nobody checked in to within the grace period after their start
 * as no-shows, in one transaction under an advisory lock, so that with several server
 * processes each appointment is marked once. Each change is an ordinary versioned write.
 * Returns the ids marked.
 */
export async function markNoShows(ctx: FhirContext, settings: ConsultationSettings, now: Date): Promise<string[]> {
  return ctx.repo.transaction(async (repo) => {
    await repo.lock(NO_SHOW_LOCK_KEY);
    const txCtx = { ...ctx, repo };
    const cutoff = new Date(now.getTime() - settings.noShowGraceMinutes * 60_000);
    const params = new URLSearchParams({ status: 'booked', date: `lt${cutoff.toISOString()}`, _count: String(BATCH) });
    const { query } = parseSearchRequest('Appointment', params, { catalog: repo.searchParameters, baseUrl: ctx.baseUrl });
    const page = await repo.search(query);
    const marked: string[] = [];
    for (const entry of page.entries) {
      const due = noShowAfter(parseStored(entry) as Appointment, settings);
      if (!due || due > now) {
        continue;
      }
      const current = await currentResource<Appointment>(repo, 'Appointment', entry.id, true);
      if (current.resource.status !== 'booked') {
        continue;
      }
      await saveStatusChange(txCtx, current, { ...current.resource, status: 'noshow' });
      marked.push(entry.id);
    }
    return marked;
  });
}
