import cluster, { type Worker } from 'node:cluster';
import { SignallingRooms, type JoinOutcome, type RoomSeat, type SeatEffect } from './signalling-rooms';

/**
 * Where the signalling rooms are kept: in this process, or (several worker processes) in the
 * cluster's primary process, which every worker asks over its IPC channel. The two
 * participants of a room may so be connected to different workers.
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

/** The hub of this process: the primary's rooms in a cluster worker, else its own. */
export function signallingHubOfProcess(): SignallingHub {
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
      const worker = cluster.workers?.[effect.connection.slice(0, effect.connection.indexOf('/'))];
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
  cluster.on('exit', (worker: Worker) => forward(rooms.leaveWhere((connection) => connection.startsWith(`${worker.id}/`))));
}

function tell(worker: Worker | undefined, payload: ToWorker): void {
  if (worker?.isConnected()) {
    worker.send({ [CHANNEL]: payload });
  }
}
