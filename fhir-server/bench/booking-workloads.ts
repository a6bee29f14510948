import type { LoadGenerator } from './load-generator';
import { syntheticId } from './synthetic-resources';
import { type Workload } from './workload';

/**
 * Issue 6's booking workloads on their own data set: doctors with free future slots, and
 * patients without appointments, so every booking's outcome is known in advance.
 */
export interface BookingContext {
  readonly load: LoadGenerator;
  readonly basePath: string;
  readonly data: BookingDataset;
}

export const BOOKING_SALT = { practitioner: 21, role: 22, schedule: 23, slot: 24, patient: 25 } as const;

/** How many of everything; slot k belongs to doctor floor(k / slotsPerDoctor). */
export class BookingDataset {
  constructor(
    readonly doctors: number,
    readonly slotsPerDoctor: number,
  ) {}

  get slots(): number {
    return this.doctors * this.slotsPerDoctor;
  }
  /** One patient per slot: no patient ever books two overlapping slots. */
  get patients(): number {
    return this.slots;
  }
  slotId(k: number): string {
    return syntheticId(BOOKING_SALT.slot, k);
  }
  patientId(k: number): string {
    return syntheticId(BOOKING_SALT.patient, k);
  }
}

const CONCURRENCY = 16;

function bookBody(data: BookingDataset, slot: number, patient: number): string {
  return JSON.stringify({
    resourceType: 'Parameters',
    parameter: [
      { name: 'slot', valueString: `Slot/${data.slotId(slot)}` },
      { name: 'patient', valueString: `Patient/${data.patientId(patient)}` },
    ],
  });
}

/** The first half of the slots: each booked once, by its own patient. */
export const bookDistinct: Workload<BookingContext> = {
  name: 'book-distinct',
  title: 'Appointment/$book on distinct slots',
  concurrency: CONCURRENCY,
  unit: 'req',
  run(ctx, timing) {
    const half = Math.floor(ctx.data.slots / 2);
    const path = `${ctx.basePath}/Appointment/$book`;
    const warmup = Math.min(200, Math.floor(half / 10));
    return ctx.load
      .run({
        warmup: true,
        concurrency: this.concurrency,
        tasks: warmup,
        task: async (session, i) => void (await session.call({ method: 'POST', path, body: bookBody(ctx.data, i, i), expect: 201 })),
      })
      .then(() =>
        ctx.load.run({
          concurrency: this.concurrency,
          tasks: half - warmup,
          durationMs: timing.durationMs,
          task: async (session, i) => {
            const k = warmup + i;
            await session.call({ method: 'POST', path, body: bookBody(ctx.data, k, k), expect: 201 });
          },
        }),
      );
  },
};

/** The second half: 16 clients race for each slot at once; one 201, fifteen 409s per slot. */
export const bookContended: Workload<BookingContext> = {
  name: 'book-contended',
  title: 'Appointment/$book, 16 clients per slot (201 or 409)',
  concurrency: CONCURRENCY,
  unit: 'req',
  run(ctx, timing) {
    const first = Math.floor(ctx.data.slots / 2);
    const path = `${ctx.basePath}/Appointment/$book`;
    return ctx.load.run({
      concurrency: this.concurrency,
      tasks: (ctx.data.slots - first) * CONCURRENCY,
      durationMs: timing.durationMs,
      task: async (session, i) => {
        const k = first + Math.floor(i / CONCURRENCY);
        // Each racer is a different patient of that slot's group (patients of other slots: never overlapping).
        const patient = first + ((k - first + (i % CONCURRENCY) * 7919) % (ctx.data.slots - first));
        await session.call({ method: 'POST', path, body: bookBody(ctx.data, k, patient), expect: [201, 409] });
      },
    });
  },
};

export const BOOKING_WORKLOADS: readonly Workload<BookingContext>[] = [bookDistinct, bookContended];
