import type { Bundle } from '@medplum/fhirtypes';
import type { LoadGenerator } from './load-generator';
import { familyName, isoDay, mix, syntheticId, syntheticPatient } from './synthetic-resources';
import { fail, pick, readSearchset, sampled, warmThenMeasure, type Workload } from './workload';

/**
 * Issue 2's workloads. The reference is a widely used TypeScript FHIR server measured on this
 * machine class with validation and auth on; "bare" is Koa + pg with no FHIR logic.
 */
export const CORE_PATIENTS = 4_000;
export const CORE_FAMILIES = 200;
const BUNDLES = 20;
const BUNDLE_SIZE = 50;

export interface CoreContext {
  readonly load: LoadGenerator;
  readonly basePath: string;
  readonly families: readonly string[];
  /** Ids of the Patients the create workload (or the seeding step) stored. */
  readonly patientIds: string[];
  /** How many stored Patients carry each family name (what `Patient?family=` must find). */
  readonly perFamily: Map<string, number>;
}

export function coreFamilies(): string[] {
  return Array.from({ length: CORE_FAMILIES }, (_, k) => familyName(k));
}

/** The i-th Patient of the core data set (the create workload's bodies, or the seed). */
export function corePatient(i: number, families: readonly string[], id?: string) {
  const facts = {
    family: families[i % families.length],
    gender: mix(i, 3) % 2 ? ('female' as const) : ('male' as const),
    birthDate: isoDay('1930-01-01', mix(i, 2) % 32_000),
  };
  return syntheticPatient(id, i, facts);
}

export function seedPatientId(i: number): string {
  return syntheticId(50, i);
}

export const createPatients: Workload<CoreContext> = {
  name: 'create',
  title: 'POST Patient (4,000)',
  concurrency: 8,
  unit: 'req',
  goal: { kind: 'throughput', reference: 328, bareKoaPg: 2_493, target: 1_640 },
  async run(ctx, timing) {
    const total = Math.round(CORE_PATIENTS * timing.countScale);
    const path = `${ctx.basePath}/Patient`;
    const warmupBody = JSON.stringify(corePatient(0, ['Warmup']));
    await ctx.load.run({
      warmup: true,
      concurrency: this.concurrency,
      tasks: Math.max(50, total / 20),
      task: async (session) => void (await session.call({ method: 'POST', path, body: warmupBody, expect: 201 })),
    });
    const bodies = Array.from({ length: total }, (_, i) => JSON.stringify(corePatient(i, ctx.families)));
    return ctx.load.run({
      concurrency: this.concurrency,
      tasks: total,
      task: async (session, i) => {
        const reply = await session.call({ method: 'POST', path, body: bodies[i], expect: 201 });
        const id = /\/Patient\/([^/]+)\/_history\//.exec(String(reply.headers.location ?? ''))?.[1];
        if (reply.status === 201 && id) {
          ctx.patientIds.push(id);
          const family = ctx.families[i % ctx.families.length];
          ctx.perFamily.set(family, (ctx.perFamily.get(family) ?? 0) + 1);
        }
      },
    });
  },
  explainCalls: (ctx) => [
    { method: 'POST', path: `${ctx.basePath}/Patient`, body: JSON.stringify(corePatient(7, ctx.families)), expect: 201 },
  ],
};

export const readPatients: Workload<CoreContext> = {
  name: 'read',
  title: 'GET Patient/{id}, random ids',
  concurrency: 16,
  unit: 'req',
  goal: { kind: 'throughput', reference: 1_565, bareKoaPg: 9_475, target: 7_825 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session) => {
      await session.call({ method: 'GET', path: `${ctx.basePath}/Patient/${pick(ctx.patientIds)}`, expect: 200 });
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: `${ctx.basePath}/Patient/${ctx.patientIds[0]}`, expect: 200 }],
};

export const searchFamily: Workload<CoreContext> = {
  name: 'search-family',
  title: 'GET Patient?family= (200 names)',
  concurrency: 16,
  unit: 'req',
  goal: { kind: 'throughput', reference: 452, bareKoaPg: 3_470, target: 2_260 },
  run(ctx, timing) {
    return warmThenMeasure(ctx.load, this.concurrency, timing, async (session, index) => {
      const family = pick(ctx.families);
      const reply = await session.call({ method: 'GET', path: `${ctx.basePath}/Patient?family=${family}`, expect: 200 });
      if (reply.status === 200 && sampled(index)) {
        const { matches } = readSearchset(reply.text);
        const expected = Math.min(20, ctx.perFamily.get(family) ?? 0);
        const wrong = matches.filter((m) => (m.resource.name as { family?: string }[] | undefined)?.[0]?.family !== family);
        if (matches.length !== expected || wrong.length > 0) {
          fail(
            `Patient?family=${family}: expected ${expected} matches of that family, got ${matches.length} (${wrong.length} of another family)`,
          );
        }
      }
    });
  },
  explainCalls: (ctx) => [{ method: 'GET', path: `${ctx.basePath}/Patient?family=${ctx.families[3]}`, expect: 200 }],
};

function transactionBundle(b: number, families: readonly string[]): string {
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: Array.from({ length: BUNDLE_SIZE }, (_, e) => ({
      fullUrl: `urn:uuid:${syntheticId(60, b * BUNDLE_SIZE + e)}`,
      resource: corePatient(100_000 + b * BUNDLE_SIZE + e, families),
      request: { method: 'POST', url: 'Patient' },
    })),
  };
  return JSON.stringify(bundle);
}

export const transactions: Workload<CoreContext> = {
  name: 'transaction',
  title: 'POST transaction, 20 x 50 Patients',
  concurrency: 4,
  unit: 'resources',
  itemsPerRequest: BUNDLE_SIZE,
  goal: { kind: 'throughput', reference: 265, bareKoaPg: 5_560, target: 1_325 },
  async run(ctx, timing) {
    const count = Math.max(4, Math.round(BUNDLES * timing.countScale));
    const warmFamilies = ['Warmup'];
    const warmups = Array.from({ length: 4 }, (_, b) => transactionBundle(1_000 + b, warmFamilies));
    await ctx.load.run({
      warmup: true,
      concurrency: this.concurrency,
      tasks: warmups.length,
      task: async (session, b) => void (await session.call({ method: 'POST', path: ctx.basePath, body: warmups[b], expect: 200 })),
    });
    const bodies = Array.from({ length: count }, (_, b) => transactionBundle(b, ['Bundled']));
    return ctx.load.run({
      concurrency: this.concurrency,
      tasks: count,
      task: async (session, b) => {
        const reply = await session.call({ method: 'POST', path: ctx.basePath, body: bodies[b], expect: 200 });
        if (reply.status === 200 && b === 0) {
          const created = (JSON.parse(reply.text) as Bundle).entry?.filter((e) => e.response?.status?.startsWith('201')).length;
          if (created !== BUNDLE_SIZE) {
            fail(`transaction-response has ${created} entries with 201 Created, expected ${BUNDLE_SIZE}`);
          }
        }
      },
    });
  },
  explainCalls: (ctx) => [{ method: 'POST', path: ctx.basePath, body: transactionBundle(2_000, ['Explained']), expect: 200 }],
};

export const CORE_WORKLOADS: readonly Workload<CoreContext>[] = [createPatients, readPatients, searchFamily, transactions];
