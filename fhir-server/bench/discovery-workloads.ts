import { FIRST_SLOT_DAY } from './search-dataset';
import type { SearchContext } from './search-workloads';
import { SPECIALTIES, SPECIALTY_SYSTEM } from './synthetic-resources';
import { fail, randomInt, readSearchset, sampled, warmThenMeasure, type Workload } from './workload';

/** Issue 6's discovery searches over the search data set (20,000 doctors, 1,000,000 slots). */
const CONCURRENCY = 16;
const q = encodeURIComponent;

/**
 * A search for a random specialty's roles; a sample is checked: sorted by rating (all at least
 * `minRating`), each with its Practitioner included.
 */
function searchBySpecialty(
  name: string,
  title: string,
  pathOf: (ctx: SearchContext, code: string) => string,
  minRating: number,
): Workload<SearchContext> {
  return {
    name,
    title,
    concurrency: CONCURRENCY,
    unit: 'req',
    goal: { kind: 'p95', maxMs: 50 },
    run(ctx, timing) {
      return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
        const path = pathOf(ctx, SPECIALTIES[randomInt(SPECIALTIES.length)].code);
        const reply = await session.call({ method: 'GET', path, expect: 200 });
        if (reply.status === 200 && sampled(index)) {
          const { matches, includes } = readSearchset(reply.text);
          const ratings = matches.map(
            (m) =>
              (m.resource.extension as { url: string; valueDecimal?: number }[]).find((e) => e.url.endsWith('average-rating'))
                ?.valueDecimal ?? 0,
          );
          const sorted = ratings.every((r, i) => i === 0 || ratings[i - 1] >= r);
          if (matches.length === 0 || !sorted || ratings.some((r) => r < minRating) || includes.length !== matches.length) {
            fail(`${path}: ${matches.length} matches, ${includes.length} practitioners, ratings ${ratings.join(',')}`);
          }
        }
      });
    },
    explainCalls: (ctx) => [{ method: 'GET', path: pathOf(ctx, SPECIALTIES[1].code), expect: 200 }],
  };
}

export const discovery = searchBySpecialty(
  'discovery',
  'PractitionerRole?specialty=&language=&fee=le&rating=ge&_sort=-rating,fee&_include=practitioner',
  (ctx, code) =>
    `${ctx.basePath}/PractitionerRole?specialty=${q(`${SPECIALTY_SYSTEM}|${code}`)}&language=de&fee=le150&rating=ge4` +
    '&_sort=-rating,fee&_include=PractitionerRole:practitioner&_count=20',
  4,
);

/** The patient portal's doctor directory with a specialty and a language chosen (doctor-directory.ts). */
export const doctorSearch = searchBySpecialty(
  'doctor-search',
  "PractitionerRole?active=true&specialty=&language=&_sort=-rating&_include=practitioner (the portal's)",
  (ctx, code) =>
    `${ctx.basePath}/PractitionerRole?active=true&specialty=${code}&language=de` +
    '&_include=PractitionerRole:practitioner&_sort=-rating&_count=20',
  3,
);

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
