import cluster, { type Worker } from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  closeSeats,
  joinSeats,
  leaveSeat,
  relayFromSeat,
  SignallingRooms,
  type JoinOutcome,
  type RoomSeat,
  type SeatEffect,
} from './signalling-rooms';

/**
 * Where the signalling rooms are kept: in this process; with several worker processes in the
 * cluster's primary, which every worker asks over its IPC channel; with several instances
 * (hosts) in Redis. The two participants of a room may so be connected to different processes.
 */
export interface SignallingHub {
  /** A connection id no other connection of any worker has. */
  newConnection(): string;
  join(seat: RoomSeat): Promise<JoinOutcome>;
  relay(from: RoomSeat, message: Record<string, unknown>): void;
  leave(seat: RoomSeat): void;
  closeRoom(room: string): void;
  /** Receives what is to be done on this process's connections. */
  onEffect(deliver: (effect: SeatEffect) => void): void;
  close?(): Promise<void>;
}

/** One process holds the rooms and every connection. */
export class LocalSignallingHub implements SignallingHub {
  private readonly rooms = new SignallingRooms();
  private deliver: (effect: SeatEffect) => void = () => undefined;
  private connections = 0;

  newConnection(): string {
    return String(++this.connections);
  }

  async join(seat: RoomSeat): Promise<JoinOutcome> {
    const { outcome, effects } = this.rooms.join(seat);
    effects.forEach(this.deliver);
    return outcome;
  }

  relay(from: RoomSeat, message: Record<string, unknown>): void {
    this.rooms.relay(from, message).forEach(this.deliver);
  }

  leave(seat: RoomSeat): void {
    this.rooms.leave(seat).forEach(this.deliver);
  }

  closeRoom(room: string): void {
    this.rooms.closeRoom(room).forEach(this.deliver);
  }

  onEffect(deliver: (effect: SeatEffect) => void): void {
    this.deliver = deliver;
  }
}

const CHANNEL = 'medbuddy.signalling';

type ToPrimary =
  | { op: 'join'; request: number; seat: RoomSeat }
  | { op: 'relay'; seat: RoomSeat; message: Record<string, unknown> }
  | { op: 'leave'; seat: RoomSeat }
  | { op: 'close-room'; room: string };

type ToWorker = { op: 'joined'; request: number; outcome: JoinOutcome } | { op: 'effect'; effect: SeatEffect };

interface Envelope<T> {
  readonly [CHANNEL]: T;
}

function payloadOf<T>(message: unknown): T | undefined {
  return typeof message === 'object' && message !== null && CHANNEL in message ? (message as Envelope<T>)[CHANNEL] : undefined;
}

/**
 * A worker of `WEB_CONCURRENCY` > 1: the rooms are the primary's (`relaySignallingBetweenWorkers`);
 * connection ids start with this worker's id, so the primary knows where each one lives.
 */
export class WorkerSignallingHub implements SignallingHub {
  private readonly joins = new Map<number, (outcome: JoinOutcome) => void>();
  private requests = 0;
  private connections = 0;
  private deliver: (effect: SeatEffect) => void = () => undefined;

  constructor(private readonly workerId: number) {
    process.on('message', (message: unknown) => {
      const payload = payloadOf<ToWorker>(message);
      if (payload?.op === 'joined') {
        this.joins.get(payload.request)?.(payload.outcome);
        this.joins.delete(payload.request);
      } else if (payload?.op === 'effect') {
        this.deliver(payload.effect);
      }
    });
  }

  newConnection(): string {
    return `${this.workerId}/${++this.connections}`;
  }

  join(seat: RoomSeat): Promise<JoinOutcome> {
    const request = ++this.requests;
    return new Promise((resolve) => {
      this.joins.set(request, resolve);
      this.send({ op: 'join', request, seat });
    });
  }

  relay(seat: RoomSeat, message: Record<string, unknown>): void {
    this.send({ op: 'relay', seat, message });
  }

  leave(seat: RoomSeat): void {
    this.send({ op: 'leave', seat });
  }

  closeRoom(room: string): void {
    this.send({ op: 'close-room', room });
  }

  onEffect(deliver: (effect: SeatEffect) => void): void {
    this.deliver = deliver;
  }

  private send(payload: ToPrimary): void {
    if (process.connected) {
      process.send?.({ [CHANNEL]: payload });
    }
  }
}

/** The hub of this process: Redis when configured, the primary's rooms in a cluster worker, else its own. */
export function signallingHubOfProcess(redisUrl: string | undefined): SignallingHub {
  if (redisUrl) {
    return new RedisSignallingHub(redisUrl);
  }
  return cluster.isWorker ? new WorkerSignallingHub(cluster.worker?.id ?? 0) : new LocalSignallingHub();
}

/**
 * The primary process's side of `WorkerSignallingHub`: keeps the rooms of all workers and
 * sends each effect to the worker holding its connection. The seats of a worker that exits
 * leave their rooms, so the other participants are told.
 */
export function relaySignallingBetweenWorkers(): void {
  const rooms = new SignallingRooms();
  const forward = (effects: readonly SeatEffect[]): void => {
    for (const effect of effects) {
      const worker = cluster.workers?.[processOf(effect.connection)];
      tell(worker, { op: 'effect', effect });
    }
  };
  cluster.on('message', (worker: Worker, message: unknown) => {
    const payload = payloadOf<ToPrimary>(message);
    switch (payload?.op) {
      case 'join': {
        const { outcome, effects } = rooms.join(payload.seat);
        tell(worker, { op: 'joined', request: payload.request, outcome });
        forward(effects);
        break;
      }
      case 'relay':
        forward(rooms.relay(payload.seat, payload.message));
        break;
      case 'leave':
        forward(rooms.leave(payload.seat));
        break;
      case 'close-room':
        forward(rooms.closeRoom(payload.room));
        break;
    }
  });
  cluster.on('exit', (worker: Worker) => forward(rooms.leaveWhere((connection) => processOf(connection) === String(worker.id))));
}

/** The process a connection id belongs to (a cluster worker's id, an instance's id): what comes before its `/`. */
function processOf(connection: string): string {
  return connection.slice(0, connection.indexOf('/'));
}

function tell(worker: Worker | undefined, payload: ToWorker): void {
  if (worker?.isConnected()) {
    worker.send({ [CHANNEL]: payload });
  }
}

const REDIS_PREFIX = 'medbuddy:signalling';
/** An instance that has not said it is alive for this long is gone: its seats no longer count. */
const INSTANCE_TTL_S = 30;
/** Rooms nobody joined for a day are forgotten. */
const ROOM_TTL_S = 86_400;

/**
 * Several server instances (hosts) sharing one Redis (`REDIS_URL`): the seats of each room are
 * a Redis hash (identity -> connection), changed optimistically (WATCH/MULTI, one room
 * operation at a time per instance), and each effect is published to the channel of the
 * instance holding the connection. Connection ids start with the instance id; an instance
 * refreshes its liveness key every 10 s, and the seats of one whose key expired are dropped
 * the next time their room changes.
 */
export class RedisSignallingHub implements SignallingHub {
  private readonly instance = randomUUID();
  private readonly commands: Redis;
  private readonly subscriber: Redis;
  private readonly heartbeat: NodeJS.Timeout;
  private queue: Promise<unknown> = Promise.resolve();
  private connections = 0;
  private deliver: (effect: SeatEffect) => void = () => undefined;

  constructor(redisUrl: string) {
    this.commands = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
    this.subscriber = new Redis(redisUrl);
    for (const client of [this.commands, this.subscriber]) {
      client.on('error', () => undefined); // reconnects by itself; operations meanwhile fail and are dropped
    }
    void this.subscriber.subscribe(this.channel(this.instance));
    this.subscriber.on('message', (_channel: string, text: string) => this.deliver(JSON.parse(text) as SeatEffect));
    const alive = () => void this.commands.set(this.key('instance', this.instance), '1', 'EX', INSTANCE_TTL_S).catch(() => undefined);
    alive();
    this.heartbeat = setInterval(alive, 10_000).unref();
  }

  newConnection(): string {
    return `${this.instance}/${++this.connections}`;
  }

  /** Rejects when Redis cannot be reached; the caller closes the connection, whose client joins again later. */
  async join(seat: RoomSeat): Promise<JoinOutcome> {
    return (await this.change(seat.room, (seats) => joinSeats(seats, seat))).outcome;
  }

  // Without Redis a relayed message or a leave is lost; the peers' connection checks recover.
  relay(from: RoomSeat, message: Record<string, unknown>): void {
    this.change(from.room, (seats) => ({ seats, effects: relayFromSeat(seats, from, message) })).catch(() => undefined);
  }

  leave(seat: RoomSeat): void {
    this.change(seat.room, (seats) => leaveSeat(seats, seat)).catch(() => undefined);
  }

  closeRoom(room: string): void {
    this.change(room, (seats) => ({ seats, effects: closeSeats(seats) })).catch(() => undefined);
  }

  onEffect(deliver: (effect: SeatEffect) => void): void {
    this.deliver = deliver;
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    await Promise.allSettled([this.commands.del(this.key('instance', this.instance))]);
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  /** Runs one room operation (after this instance's earlier ones) and carries out its effects. */
  private change<T extends { seats: RoomSeat[]; effects: SeatEffect[] }>(room: string, operation: (seats: RoomSeat[]) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const result = await this.changeInRedis(room, operation);
      for (const effect of result.effects) {
        const instance = processOf(effect.connection);
        if (instance === this.instance) {
          this.deliver(effect);
        } else {
          await this.commands.publish(this.channel(instance), JSON.stringify(effect));
        }
      }
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async changeInRedis<T extends { seats: RoomSeat[] }>(room: string, operation: (seats: RoomSeat[]) => T): Promise<T> {
    const key = this.key('room', room);
    for (;;) {
      await this.commands.watch(key);
      const stored = Object.entries(await this.commands.hgetall(key)).map(([identity, connection]) => ({ room, identity, connection }));
      const alive = await this.liveInstances(stored.map((seat) => processOf(seat.connection)));
      const result = operation(stored.filter((seat) => alive.has(processOf(seat.connection))));
      if (sameSeats(stored, result.seats)) {
        await this.commands.unwatch();
        return result; // a relay or a close: nothing to write
      }
      const transaction = this.commands.multi().del(key);
      if (result.seats.length > 0) {
        transaction.hset(key, Object.fromEntries(result.seats.map((seat) => [seat.identity, seat.connection]))).expire(key, ROOM_TTL_S);
      }
      if (await transaction.exec()) {
        return result;
      }
    }
  }

  /** Those of the instances whose liveness key has not expired. */
  private async liveInstances(instances: string[]): Promise<Set<string>> {
    const distinct = [...new Set(instances)];
    const keys = distinct.length > 0 ? await this.commands.mget(distinct.map((id) => this.key('instance', id))) : [];
    return new Set(distinct.filter((_id, n) => keys[n] !== null));
  }

  private key(kind: string, id: string): string {
    return `${REDIS_PREFIX}:${kind}:${id}`;
  }

  private channel(instance: string): string {
    return this.key('to', instance);
  }
}

function sameSeats(a: readonly RoomSeat[], b: readonly RoomSeat[]): boolean {
  return (
    a.length === b.length && a.every((seat) => b.some((other) => other.identity === seat.identity && other.connection === seat.connection))
  );
}
