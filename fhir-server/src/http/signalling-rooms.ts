/** One participant's connection to a signalling room. `connection` is unique among all connections of all worker processes. */
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
 * Who sits in which video room: at most two identities per room, one connection each (the
 * same identity joining again replaces its connection). Pure bookkeeping that says what to
 * send to or close on which connection; the connections themselves may live in other
 * processes (signalling-hub.ts).
 */
export class SignallingRooms {
  private readonly rooms = new Map<string, Map<string, RoomSeat>>();

  join(seat: RoomSeat): { outcome: JoinOutcome; effects: SeatEffect[] } {
    const room = this.rooms.get(seat.room) ?? new Map<string, RoomSeat>();
    const others = [...room.values()].filter((other) => other.identity !== seat.identity);
    if (others.length >= 2) {
      return { outcome: 'full', effects: [] };
    }
    const previous = room.get(seat.identity);
    room.set(seat.identity, seat);
    this.rooms.set(seat.room, room);
    const effects: SeatEffect[] = others.map((other) => ({
      connection: other.connection,
      send: { type: 'peer-joined', identity: seat.identity },
    }));
    if (previous && previous.connection !== seat.connection) {
      effects.push({ connection: previous.connection, close: CLOSE_REPLACED });
    }
    return { outcome: { peers: others.map((other) => other.identity) }, effects };
  }

  /** A message for the other participant of the seat's room, or an error back when there is none yet. */
  relay(from: RoomSeat, message: Record<string, unknown>): SeatEffect[] {
    const other = [...(this.rooms.get(from.room)?.values() ?? [])].find((seat) => seat.identity !== from.identity);
    if (!other) {
      return [
        { connection: from.connection, send: { type: 'error', code: 'no-peer', message: 'The other participant has not joined yet' } },
      ];
    }
    return [{ connection: other.connection, send: { ...message, from: from.identity } }];
  }

  /** The connection is gone; unless a newer connection of the same identity replaced it, the others are told. */
  leave(seat: RoomSeat): SeatEffect[] {
    const room = this.rooms.get(seat.room);
    if (room?.get(seat.identity)?.connection !== seat.connection) {
      return [];
    }
    room.delete(seat.identity);
    if (room.size === 0) {
      this.rooms.delete(seat.room);
    }
    return [...room.values()].map((other) => ({ connection: other.connection, send: { type: 'peer-left', identity: seat.identity } }));
  }

  /** Every seat whose connection matches (a worker process that exited): each leaves. */
  leaveWhere(matches: (connection: string) => boolean): SeatEffect[] {
    const gone = [...this.rooms.values()].flatMap((room) => [...room.values()]).filter((seat) => matches(seat.connection));
    return gone.flatMap((seat) => this.leave(seat)).filter((effect) => !matches(effect.connection));
  }

  /** The consultation ended: every connection in the room is closed. */
  closeRoom(room: string): SeatEffect[] {
    return [...(this.rooms.get(room)?.values() ?? [])].map((seat) => ({ connection: seat.connection, close: CLOSE_ENDED }));
  }
}
