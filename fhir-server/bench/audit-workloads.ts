import type { AuditDataset } from './audit-dataset';
import type { LoadGenerator } from './load-generator';
import { fail, pathOf, randomInt, readSearchset, sampled, warmThenMeasure, type ExplainCall, type Workload } from './workload';

/** Issue 12's AuditEvent browser queries over the generated audit trail. */
export interface AuditContext {
  readonly load: LoadGenerator;
  readonly basePath: string;
  readonly data: AuditDataset;
}

/** A few administrators browsing at once. */
const CONCURRENCY = 4;
/** The browser's page size (clinician-portal/src/app/admin/audit-store.ts AUDIT_PAGE_SIZE). */
const PAGE = 20;
const PAGES = 10;
const GOAL = { kind: 'p95', maxMs: 100 } as const;
const q = encodeURIComponent;

/** One browser search: its URL (below the base) and what the model says it must return. */
interface AuditQuery {
  readonly path: string;
  readonly first: number;
  readonly last: number;
  readonly accept: (n: number) => boolean;
}

/** Picks a query value below a bound: random under load, fixed for `--explain`. */
type Choose = (below: number) => number;

/** What the browser sends: the filters, then `_sort=-date&_count=20`, dates as `ge`/`le` days (audit-store.ts toParams). */
function browserPath(data: AuditDataset, filters: string, fromDay: number, toDay: number): { path: string; first: number; last: number } {
  const from = data.day(fromDay);
  const to = data.day(toDay);
  const [first, last] = data.eventRange(from, to);
  return { path: `AuditEvent?_sort=-date&_count=${PAGE}&date=ge${from}&date=le${to}${filters}`, first, last };
}

function window(data: AuditDataset, choose: Choose, days: number): [number, number] {
  const from = choose(data.size.days - days + 1);
  return [from, from + days - 1];
}

const QUERIES: Record<string, { title: string; query: (data: AuditDataset, choose: Choose) => AuditQuery }> = {
  'audit-range': {
    title: 'AuditEvent?date=ge&date=le (7 days)&_sort=-date&_count=20',
    query: (data, choose) => ({ ...browserPath(data, '', ...window(data, choose, 7)), accept: () => true }),
  },
  'audit-agent': {
    title: 'AuditEvent?agent={user}&date (30 days)&_sort=-date',
    query: (data, choose) => {
      const u = choose(data.users);
      return {
        ...browserPath(data, `&agent=${q(data.userReference(u))}`, ...window(data, choose, 30)),
        accept: (n) => data.userOf[n] === u,
      };
    },
  },
  'audit-patient': {
    title: 'AuditEvent?patient={patient}&date (90 days)&_sort=-date',
    query: (data, choose) => {
      const p = choose(data.size.patients);
      const asUser = data.size.practitioners + p;
      return {
        ...browserPath(data, `&patient=${q(`Patient/${data.patientId(p)}`)}`, 0, data.size.days - 1),
        // `patient` matches the events about the patient and, for a patient user, the events they made.
        accept: (n) => data.patientOf[n] === p || data.userOf[n] === asUser,
      };
    },
  },
  'audit-action': {
    title: 'AuditEvent?subtype=update&date (7 days)&_sort=-date',
    query: (data, choose) => ({
      ...browserPath(data, `&subtype=update`, ...window(data, choose, 7)),
      accept: (n) => data.interactionOf[n] === 3,
    }),
  },
  'audit-outcome': {
    title: 'AuditEvent?outcome=4&date (30 days)&_sort=-date (client failures)',
    query: (data, choose) => ({ ...browserPath(data, `&outcome=4`, ...window(data, choose, 30)), accept: (n) => data.outcomeOf[n] === 4 }),
  },
  'audit-type-user': {
    title: 'AuditEvent?type=rest&agent={user}&subtype=read&date (90 days)&_sort=-date',
    query: (data, choose) => {
      const u = choose(data.users);
      return {
        ...browserPath(data, `&type=rest&agent=${q(data.userReference(u))}&subtype=read`, 0, data.size.days - 1),
        accept: (n) => data.userOf[n] === u && data.interactionOf[n] === 0,
      };
    },
  },
};

function filterWorkload(name: string): Workload<AuditContext> {
  const { title, query } = QUERIES[name];
  return {
    name,
    title,
    concurrency: CONCURRENCY,
    unit: 'req',
    goal: GOAL,
    run(ctx, timing) {
      return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
        const expected = query(ctx.data, randomInt);
        const reply = await session.call({ method: 'GET', path: `${ctx.basePath}/${expected.path}`, expect: 200 });
        if (reply.status === 200 && sampled(index, 5)) {
          checkPage(ctx.data, expected, reply.text, 0);
        }
      });
    },
    explainCalls: (ctx) => [
      { method: 'GET', path: `${ctx.basePath}/${query(ctx.data, (below) => Math.floor(below / 3)).path}`, expect: 200 },
    ],
  };
}

/** The page holds exactly the model's events, newest first. */
function checkPage(data: AuditDataset, expected: AuditQuery, text: string, skip: number): string | undefined {
  const { matches, next } = readSearchset(text);
  const want = data.newest(expected.first, expected.last, expected.accept, skip, PAGE).map((n) => data.eventId(n));
  const got = matches.map((m) => m.id);
  if (got.join() !== want.join()) {
    const wrongAt = got.findIndex((id, i) => id !== want[i]);
    fail(`${expected.path} (after ${skip}): expected ${want.length} events, got ${got.length}; first difference at ${wrongAt}`);
  }
  return next;
}

const latest: Workload<AuditContext> = {
  name: 'audit-latest',
  title: 'AuditEvent?_sort=-date&_count=20 (the browser opening, no filter)',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: GOAL,
  run(ctx, timing) {
    const path = `${ctx.basePath}/AuditEvent?_sort=-date&_count=${PAGE}`;
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const reply = await session.call({ method: 'GET', path, expect: 200 });
      if (reply.status === 200 && sampled(index, 5)) {
        // The newest events are the server's own, of the benchmark's reads: only the order is known.
        const recorded = readSearchset(reply.text).matches.map((m) => String(m.resource.recorded));
        if (recorded.length !== PAGE || recorded.some((r, i) => i > 0 && recorded[i - 1] < r)) {
          fail(`${path}: expected ${PAGE} events newest first, got ${recorded.length}: ${recorded.slice(0, 3).join(', ')}...`);
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: `${ctx.basePath}/AuditEvent?_sort=-date&_count=${PAGE}`, expect: 200 }],
};

const paging: Workload<AuditContext> = {
  name: 'audit-paging',
  title: `AuditEvent?date (30 days)&_sort=-date, next links to page ${PAGES}`,
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: GOAL,
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const expected: AuditQuery = { ...browserPath(ctx.data, '', ...window(ctx.data, randomInt, 30)), accept: () => true };
      const check = sampled(index, 5);
      let path: string | undefined = `${ctx.basePath}/${expected.path}`;
      for (let page = 0; page < PAGES && path; page++) {
        const reply = await session.call({ method: 'GET', path, expect: 200 });
        if (reply.status !== 200) {
          return;
        }
        const next = check ? checkPage(ctx.data, expected, reply.text, page * PAGE) : readSearchset(reply.text).next;
        if (!next && page < PAGES - 1) {
          fail(`${expected.path}: no next link on page ${page + 1}`);
        }
        path = next && pathOf(next);
      }
    });
  },
  explainCalls: (ctx): ExplainCall[] => [
    { method: 'GET', path: `${ctx.basePath}/${browserPath(ctx.data, '', 30, 59).path}`, expect: 200, followNext: PAGES - 1 },
  ],
};

export const AUDIT_WORKLOADS: readonly Workload<AuditContext>[] = [latest, ...Object.keys(QUERIES).map(filterWorkload), paging];
