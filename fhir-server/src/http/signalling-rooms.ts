/** One participant's connection to a signalling room. `connection` is unique among all connections of all server processes. */
export interface RoomSeat {
  readonly room: string;
  readonly identity: string;
  readonly connection: string;
}

/** What a room change asks of the connections: a message to send, or a close. */
export type SeatEffect =
  | { readonly connection: string; readonly send: Record<string, unknown> }
  | { readonly connection: string; readonly close: { readonly code: number; readonly reason: string } };

export type JoinOutcome = { readonly peers: string[] } | 'full';

export const CLOSE_REPLACED = { code: 4000, reason: 'Joined again from another connection' };
export const CLOSE_ENDED = { code: 4004, reason: 'The consultation has ended' };

/**
 * The rules of a video room, over the seats of one room: at most two identities, one
 * connection each (the same identity joining again replaces its connection). Pure functions
 * that say what the room becomes and what to send to or close on which connection; the seats
 * are kept in this process (`SignallingRooms`) or in Redis, and the connections may live in
 * other processes (signalling-hub.ts).
 */
export function joinSeats(seats: readonly RoomSeat[], seat: RoomSeat): { outcome: JoinOutcome; effects: SeatEffect[]; seats: RoomSeat[] } {
  const others = seats.filter((other) => other.identity !== seat.identity);
  if (others.length >= 2) {
    return { outcome: 'full', effects: [], seats: [...seats] };
  }
  const previous = seats.find((other) => other.identity === seat.identity);
  const effects: SeatEffect[] = others.map((other) => ({
    connection: other.connection,
    send: { type: 'peer-joined', identity: seat.identity },
  }));
  if (previous && previous.connection !== seat.connection) {
    effects.push({ connection: previous.connection, close: CLOSE_REPLACED });
  }
  return { outcome: { peers: others.map((other) => other.identity) }, effects, seats: [...others, seat] };
}

/** A message for the other participant of the room, or an error back when there is none yet. */
export function relayFromSeat(seats: readonly RoomSeat[], from: RoomSeat, message: Record<string, unknown>): SeatEffect[] {
  const other = seats.find((seat) => seat.identity !== from.identity);
  if (!other) {
    return [{ connection: from.connection, send: { type: 'error', code: 'no-peer', message: 'The other participant has not joined yet' } }];
  }
  return [{ connection: other.connection, send: { ...message, from: from.identity } }];
}

/** The seat's connection is gone; unless a newer connection of the same identity replaced it, the others are told. */
export function leaveSeat(seats: readonly RoomSeat[], seat: RoomSeat): { effects: SeatEffect[]; seats: RoomSeat[] } {
  if (!seats.some((other) => other.connection === seat.connection && other.identity === seat.identity)) {
    return { effects: [], seats: [...seats] };
  }
  const rest = seats.filter((other) => other.identity !== seat.identity);
  return {
    effects: rest.map((other) => ({ connection: other.connection, send: { type: 'peer-left', identity: seat.identity } })),
    seats: rest,
  };
}

/** The consultation ended: every connection in the room is closed. */
export function closeSeats(seats: readonly RoomSeat[]): SeatEffect[] {
  return seats.map((seat) => ({ connection: seat.connection, close: CLOSE_ENDED }));
}

/** The rooms of this process (one server process, or the primary of several workers). */
export class SignallingRooms {
  private readonly rooms = new Map<string, RoomSeat[]>();

  join(seat: RoomSeat): { outcome: JoinOutcome; effects: SeatEffect[] } {
    const { outcome, effects, seats } = joinSeats(this.seats(seat.room), seat);
    this.keep(seat.room, seats);
    return { outcome, effects };
  }

  relay(from: RoomSeat, message: Record<string, unknown>): SeatEffect[] {
    return relayFromSeat(this.seats(from.room), from, message);
  }

  leave(seat: RoomSeat): SeatEffect[] {
    const { effects, seats } = leaveSeat(this.seats(seat.room), seat);
    this.keep(seat.room, seats);
    return effects;
  }

  /** Every seat whose connection matches (a worker process that exited): each leaves. */
  leaveWhere(matches: (connection: string) => boolean): SeatEffect[] {
    const gone = [...this.rooms.values()].flat().filter((seat) => matches(seat.connection));
    return gone.flatMap((seat) => this.leave(seat)).filter((effect) => !matches(effect.connection));
  }

  closeRoom(room: string): SeatEffect[] {
    return closeSeats(this.seats(room));
  }

  private seats(room: string): RoomSeat[] {
    return this.rooms.get(room) ?? [];
  }

  private keep(room: string, seats: RoomSeat[]): void {
    if (seats.length > 0) {
      this.rooms.set(room, seats);
    } else {
      this.rooms.delete(room);
    }
  }
}
