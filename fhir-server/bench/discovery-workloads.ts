import { FIRST_SLOT_DAY } from './search-dataset';
import type { SearchContext } from './search-workloads';
import { SPECIALTIES, SPECIALTY_SYSTEM } from './synthetic-resources';
import { fail, randomInt, readSearchset, sampled, warmThenMeasure, type Timing, type Workload } from './workload';

/** Issue 6's discovery searches over the search data set (20,000 doctors, 1,000,000 slots). */
const CONCURRENCY = 16;
const q = encodeURIComponent;

function discoveryPath(ctx: SearchContext, code: string): string {
  return (
    `${ctx.basePath}/PractitionerRole?specialty=${q(`${SPECIALTY_SYSTEM}|${code}`)}&language=de&fee=le150&rating=ge4` +
    '&_sort=-rating,fee&_include=PractitionerRole:practitioner&_count=20'
  );
}

export const discovery: Workload<SearchContext> = {
  name: 'discovery',
  title: 'PractitionerRole?specialty=&language=&fee=le&rating=ge&_sort=-rating,fee&_include=practitioner',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 50 },
  run(ctx, timing) {
    return searchBySpecialty(ctx, this.concurrency, timing, (code) => discoveryPath(ctx, code), 4);
  },
  explainCalls: (ctx) => [{ method: 'GET', path: discoveryPath(ctx, SPECIALTIES[1].code), expect: 200 }],
};

/** The patient portal's doctor directory with a specialty and a language chosen (doctor-directory.ts). */
function doctorSearchPath(ctx: SearchContext, code: string): string {
  return `${ctx.basePath}/PractitionerRole?active=true&specialty=${code}&language=de&_include=PractitionerRole:practitioner&_sort=-rating&_count=20`;
}

export const doctorSearch: Workload<SearchContext> = {
  name: 'doctor-search',
  title: "PractitionerRole?active=true&specialty=&language=&_sort=-rating&_include=practitioner (the portal's)",
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 50 },
  run(ctx, timing) {
    return searchBySpecialty(ctx, this.concurrency, timing, (code) => doctorSearchPath(ctx, code), 3);
  },
  explainCalls: (ctx) => [{ method: 'GET', path: doctorSearchPath(ctx, SPECIALTIES[1].code), expect: 200 }],
};

/**
 * Searches for a random specialty's roles; a sample is checked: sorted by rating (all at least
 * `minRating`), each with its Practitioner included.
 */
function searchBySpecialty(
  ctx: SearchContext,
  concurrency: number,
  timing: Timing,
  pathOf: (code: string) => string,
  minRating: number,
): ReturnType<Workload<SearchContext>['run']> {
  return warmThenMeasure(ctx.load, concurrency, timing, async (session, index) => {
    const path = pathOf(SPECIALTIES[randomInt(SPECIALTIES.length)].code);
    const reply = await session.call({ method: 'GET', path, expect: 200 });
    if (reply.status === 200 && sampled(index)) {
      const { matches, includes } = readSearchset(reply.text);
      const ratings = matches.map(
        (m) =>
          (m.resource.extension as { url: string; valueDecimal?: number }[]).find((e) => e.url.endsWith('average-rating'))?.valueDecimal ??
          0,
      );
      const sorted = ratings.every((r, i) => i === 0 || ratings[i - 1] >= r);
      if (matches.length === 0 || !sorted || ratings.some((r) => r < minRating) || includes.length !== matches.length) {
        fail(`${path}: ${matches.length} matches, ${includes.length} practitioners, ratings ${ratings.join(',')}`);
      }
    }
  });
}

function nextSlotPath(ctx: SearchContext, j: number): string {
  return `${ctx.basePath}/Slot?schedule.actor=Practitioner/${ctx.data.practitionerId(j)}&status=free&start=ge${FIRST_SLOT_DAY}T00:00:00Z&_sort=start&_count=1`;
}

export const nextFreeSlot: Workload<SearchContext> = {
  name: 'next-free-slot',
  title: 'Slot?schedule.actor=&status=free&start=ge&_sort=start&_count=1',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 20 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const j = randomInt(ctx.data.size.practitioners);
      const reply = await session.call({ method: 'GET', path: nextSlotPath(ctx, j), expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches } = readSearchset(reply.text);
        let k = j * ctx.data.size.slotsPerSchedule;
        while (ctx.data.isSlotBooked(k)) {
          k++;
        }
        if (matches.length !== 1 || matches[0].id !== ctx.data.slotId(k)) {
          fail(`${nextSlotPath(ctx, j)}: expected Slot/${ctx.data.slotId(k)}, got ${matches.map((m) => m.id).join(',')}`);
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: nextSlotPath(ctx, 42 % ctx.data.size.practitioners), expect: 200 }],
};
