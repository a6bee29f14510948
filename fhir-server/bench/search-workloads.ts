import { discovery, doctorSearch, nextFreeSlot } from './discovery-workloads';
import type { LoadGenerator } from './load-generator';
import { FIRST_SLOT_DAY, type SearchDataset } from './search-dataset';
import { familyName, SPECIALTIES, SPECIALTY_SYSTEM, isoDay } from './synthetic-resources';
import { fail, pathOf, randomInt, readSearchset, sampled, warmThenMeasure, type ExplainCall, type Workload } from './workload';

/** Issue 3's search workloads over the generated data set, all at concurrency 16. */
export interface SearchContext {
  readonly load: LoadGenerator;
  readonly basePath: string;
  readonly data: SearchDataset;
  readonly expect: SearchExpectations;
}

const CONCURRENCY = 16;
const BIRTHDATE_FROM = '1970-01-01';
const PAGES = 50;
const q = encodeURIComponent;

/** Expected results, computed from the generator's model rather than read back from the server. */
export class SearchExpectations {
  readonly appointmentsOfPatient = new Map<number, number[]>();
  readonly appointmentsOfFamily: Int32Array;
  readonly rolesBySpecialty = new Map<string, number>();
  readonly familyOfPatientId = new Map<string, number>();

  constructor(readonly data: SearchDataset) {
    this.appointmentsOfFamily = new Int32Array(data.families);
    for (let a = 0; a < data.size.appointments; a++) {
      const p = data.appointmentPatient(a);
      const list = this.appointmentsOfPatient.get(p) ?? [];
      list.push(a);
      this.appointmentsOfPatient.set(p, list);
      this.appointmentsOfFamily[p % data.families]++;
    }
    for (let j = 0; j < data.size.practitioners; j++) {
      const code = data.specialtyOf(j).code;
      this.rolesBySpecialty.set(code, (this.rolesBySpecialty.get(code) ?? 0) + 1);
    }
    for (let i = 0; i < data.size.patients; i++) {
      this.familyOfPatientId.set(data.patientId(i), i % data.families);
    }
  }

  patientsBornFrom(f: number, from: string): number {
    return this.data.patientsOfFamily(f).filter((i) => this.data.patientFacts(i).birthDate >= from).length;
  }
}

const readById: Workload<SearchContext> = {
  name: 'search-read',
  title: 'GET {type}/{id}, random Patient/Slot/Appointment/Practitioner',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 20 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session) => {
      await session.call({ method: 'GET', path: `${ctx.basePath}/${randomReference(ctx.data)}`, expect: 200 });
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: `${ctx.basePath}/Slot/${ctx.data.slotId(12_345 % ctx.data.slots)}`, expect: 200 }],
};

function randomReference(data: SearchDataset): string {
  switch (randomInt(4)) {
    case 0:
      return `Patient/${data.patientId(randomInt(data.size.patients))}`;
    case 1:
      return `Slot/${data.slotId(randomInt(data.slots))}`;
    case 2:
      return `Appointment/${data.appointmentId(randomInt(data.size.appointments))}`;
    default:
      return `Practitioner/${data.practitionerId(randomInt(data.size.practitioners))}`;
  }
}

const familyBirthdate: Workload<SearchContext> = {
  name: 'patient-family-birthdate',
  title: `Patient?family=&birthdate=ge${BIRTHDATE_FROM}`,
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 20 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const f = randomInt(ctx.data.families);
      const reply = await session.call({ method: 'GET', path: familyBirthdatePath(ctx, f), expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches } = readSearchset(reply.text);
        const expected = Math.min(20, ctx.expect.patientsBornFrom(f, BIRTHDATE_FROM));
        const wrong = matches.filter(
          (m) => (m.resource.name as { family?: string }[])?.[0]?.family !== familyName(f) || String(m.resource.birthDate) < BIRTHDATE_FROM,
        );
        if (matches.length !== expected || wrong.length) {
          fail(`${familyBirthdatePath(ctx, f)}: expected ${expected} matches, got ${matches.length} (${wrong.length} not matching)`);
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: familyBirthdatePath(ctx, 17 % ctx.data.families), expect: 200 }],
};

function familyBirthdatePath(ctx: SearchContext, f: number): string {
  return `${ctx.basePath}/Patient?family=${familyName(f)}&birthdate=ge${BIRTHDATE_FROM}`;
}

const roleSpecialty: Workload<SearchContext> = {
  name: 'role-specialty',
  title: 'PractitionerRole?specialty=&_sort=date&_count=20',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 20 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const specialty = SPECIALTIES[randomInt(SPECIALTIES.length)].code;
      const reply = await session.call({ method: 'GET', path: roleSpecialtyPath(ctx, specialty), expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches } = readSearchset(reply.text);
        const expected = Math.min(20, ctx.expect.rolesBySpecialty.get(specialty) ?? 0);
        const starts = matches.map((m) => String((m.resource.period as { start?: string })?.start));
        const sorted = starts.every((s, i) => i === 0 || starts[i - 1] <= s);
        const wrong = matches.filter((m) => !JSON.stringify(m.resource.specialty).includes(`"${specialty}"`));
        if (matches.length !== expected || !sorted || wrong.length) {
          fail(
            `${roleSpecialtyPath(ctx, specialty)}: expected ${expected} matches sorted by date, got ${matches.length} (sorted: ${sorted}, ${wrong.length} of another specialty)`,
          );
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: roleSpecialtyPath(ctx, SPECIALTIES[1].code), expect: 200 }],
};

function roleSpecialtyPath(ctx: SearchContext, code: string): string {
  return `${ctx.basePath}/PractitionerRole?specialty=${q(`${SPECIALTY_SYSTEM}|${code}`)}&_sort=date&_count=20`;
}

const slotWindow: Workload<SearchContext> = {
  name: 'slot-window',
  title: 'Slot?schedule=&status=free&start=ge&start=lt (one day)',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 20 },
  run(ctx, timing) {
    const days = ctx.data.size.slotsPerSchedule / 10;
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const j = randomInt(ctx.data.size.practitioners);
      const day = randomInt(days);
      const reply = await session.call({ method: 'GET', path: slotWindowPath(ctx, j, day), expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches } = readSearchset(reply.text);
        const expected = ctx.data.freeSlotsOn(j, day);
        const wrong = matches.filter(
          (m) =>
            m.resource.status !== 'free' ||
            (m.resource.schedule as { reference?: string })?.reference !== `Schedule/${ctx.data.scheduleId(j)}`,
        );
        if (matches.length !== expected || wrong.length) {
          fail(`${slotWindowPath(ctx, j, day)}: expected ${expected} free slots, got ${matches.length} (${wrong.length} not matching)`);
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: slotWindowPath(ctx, 42 % ctx.data.size.practitioners, 2), expect: 200 }],
};

function slotWindowPath(ctx: SearchContext, j: number, day: number): string {
  const from = isoDay(FIRST_SLOT_DAY, day);
  const to = isoDay(FIRST_SLOT_DAY, day + 1);
  return `${ctx.basePath}/Slot?schedule=Schedule/${ctx.data.scheduleId(j)}&status=free&start=ge${from}T00:00:00Z&start=lt${to}T00:00:00Z`;
}

const appointmentInclude: Workload<SearchContext> = {
  name: 'appointment-include',
  title: 'Appointment?patient=&_include=Appointment:practitioner',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 50 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const p = ctx.data.appointmentPatient(randomInt(ctx.data.size.appointments));
      const reply = await session.call({ method: 'GET', path: appointmentIncludePath(ctx, p), expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches, includes } = readSearchset(reply.text);
        const appointments = ctx.expect.appointmentsOfPatient.get(p) ?? [];
        const practitioners = new Set(appointments.map((a) => ctx.data.practitionerId(ctx.data.appointmentPractitioner(a))));
        const included = new Set(includes.filter((r) => r.resourceType === 'Practitioner').map((r) => r.id));
        const allIncluded = [...practitioners].every((id) => included.has(id));
        if (matches.length !== Math.min(20, appointments.length) || !allIncluded) {
          fail(
            `${appointmentIncludePath(ctx, p)}: expected ${appointments.length} appointments and ${practitioners.size} included practitioners, got ${matches.length} and ${included.size}`,
          );
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: appointmentIncludePath(ctx, ctx.data.appointmentPatient(7)), expect: 200 }],
};

function appointmentIncludePath(ctx: SearchContext, p: number): string {
  return `${ctx.basePath}/Appointment?patient=Patient/${ctx.data.patientId(p)}&_include=Appointment:practitioner`;
}

const appointmentChained: Workload<SearchContext> = {
  name: 'appointment-chained',
  title: 'Appointment?patient.family= (chained)',
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 50 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const f = randomInt(ctx.data.families);
      const reply = await session.call({ method: 'GET', path: appointmentChainedPath(ctx, f), expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches } = readSearchset(reply.text);
        const expected = Math.min(20, ctx.expect.appointmentsOfFamily[f]);
        const wrong = matches.filter((m) => {
          const patient =
            (m.resource.participant as { actor?: { reference?: string } }[])?.[0]?.actor?.reference?.replace('Patient/', '') ?? '';
          return ctx.expect.familyOfPatientId.get(patient) !== f;
        });
        if (matches.length !== expected || wrong.length) {
          fail(
            `${appointmentChainedPath(ctx, f)}: expected ${expected} appointments, got ${matches.length} (${wrong.length} of another family)`,
          );
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: appointmentChainedPath(ctx, 23 % ctx.data.families), expect: 200 }],
};

function appointmentChainedPath(ctx: SearchContext, f: number): string {
  return `${ctx.basePath}/Appointment?patient.family=${familyName(f)}`;
}

const paging: Workload<SearchContext> = {
  name: 'paging',
  title: `Slot?status=free&_count=20, next links to page ${PAGES}`,
  concurrency: CONCURRENCY,
  unit: 'req',
  goal: { kind: 'p95', maxMs: 20 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const check = sampled(index, 10);
      const seen = new Set<string>();
      let path: string | undefined = `${ctx.basePath}/Slot?status=free&_count=20`;
      for (let page = 1; page <= PAGES && path; page++) {
        const reply = await session.call({ method: 'GET', path, expect: 200 });
        if (reply.status !== 200) {
          return;
        }
        const { matches, next } = readSearchset(reply.text);
        if (check) {
          matches.forEach((m) => seen.add(m.id));
          if (matches.length !== 20 || seen.size !== page * 20) {
            fail(`paging: page ${page} has ${matches.length} entries, ${seen.size} distinct so far (expected ${page * 20})`);
          }
        }
        if (!next && page < PAGES) {
          fail(`paging: no next link on page ${page}`);
        }
        path = next && pathOf(next);
      }
    });
  },
  explainCalls: (ctx): ExplainCall[] => [
    { method: 'GET', path: `${ctx.basePath}/Slot?status=free&_count=20`, expect: 200, followNext: PAGES - 1 },
  ],
};

export const SEARCH_WORKLOADS: readonly Workload<SearchContext>[] = [
  readById,
  familyBirthdate,
  roleSpecialty,
  slotWindow,
  appointmentInclude,
  appointmentChained,
  paging,
  discovery,
  doctorSearch,
  nextFreeSlot,
];
