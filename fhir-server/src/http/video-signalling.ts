import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { pingOrTerminate, trackAlive } from './websocket-heartbeat';
import type { IceServer } from '../domain/video/video-provider';
import type { RoomGrant } from '../integrations/webrtc-video';
import { LocalSignallingHub, type SignallingHub } from './signalling-hub';
import { CLOSE_ENDED, CLOSE_REPLACED, type JoinOutcome, type RoomSeat, type SeatEffect } from './signalling-rooms';

/** Close codes (4000-4999 are the application's, RFC 6455 section 7.4.2). */
export const CLOSE = {
  replaced: CLOSE_REPLACED.code,
  unauthorized: 4001,
  joinTimeout: 4002,
  roomFull: 4003,
  ended: CLOSE_ENDED.code,
  flood: 4008,
  /** RFC 6455 "internal error": the rooms could not be reached (Redis); joining again later works. */
  unavailable: 1011,
} as const;

export interface SignallingLimits {
  /** Largest message in bytes (an SDP is a few kilobytes). */
  readonly maxMessageBytes: number;
  /** Messages a participant may send in a burst, and per second after it. */
  readonly burst: number;
  readonly perSecond: number;
  /** Refused messages after which the connection is closed. */
  readonly maxRefused: number;
  /** How long a connection may stay without joining. */
  readonly joinTimeoutMs: number;
  readonly pingIntervalMs: number;
}

export const DEFAULT_SIGNALLING_LIMITS: SignallingLimits = {
  maxMessageBytes: 64 * 1024,
  burst: 100,
  perSecond: 20,
  maxRefused: 50,
  joinTimeoutMs: 10_000,
  pingIntervalMs: 30_000,
};

export interface SignallingOptions {
  /** The grant of a room token, or undefined when it is not valid. */
  verify(token: string): Promise<RoomGrant | undefined>;
  iceServers(grant: RoomGrant): readonly IceServer[];
  readonly limits?: Partial<SignallingLimits>;
  /** Where the rooms are kept (default: in this process). */
  readonly hub?: SignallingHub;
}

interface Peer {
  readonly socket: WebSocket;
  readonly seat: RoomSeat;
  /** The hub took the seat; until then the connection only waits for its answer. */
  seated: boolean;
}

/** What a participant may send after joining; everything else is refused. */
type RelayedMessage = { type: 'offer' | 'answer'; sdp: string } | { type: 'ice'; candidate: IceCandidate } | { type: 'leave' };

interface IceCandidate {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

/**
 * The built-in WebRTC signalling endpoint (`/video/signal`): a WebSocket per participant,
 * authenticated by the room token in its first message, relaying offer, answer and ICE
 * candidates between the two participants of one room (signalling-rooms.ts), who may be
 * connected to different worker processes (signalling-hub.ts). A third identity is refused;
 * the same identity joining again (a reload, a new network) replaces its old connection.
 * Malformed messages and floods are answered with an error and never reach the other participant.
 */
export class VideoSignalling {
  private readonly server: WebSocketServer;
  /** This process's joined connections, by connection id. */
  private readonly peers = new Map<string, Peer>();
  private readonly hub: SignallingHub;
  private readonly limits: SignallingLimits;
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly options: SignallingOptions) {
    this.limits = { ...DEFAULT_SIGNALLING_LIMITS, ...options.limits };
    this.hub = options.hub ?? new LocalSignallingHub();
    this.hub.onEffect((effect) => this.apply(effect));
    this.server = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes });
    this.server.on('connection', (socket) => this.connected(socket));
    this.pinger = setInterval(() => pingOrTerminate(this.server.clients), this.limits.pingIntervalMs);
    this.pinger.unref();
  }

  /** Answers a WebSocket upgrade on the signalling path (http/websocket-upgrades.ts routes it here). */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.server.handleUpgrade(request, socket, head, (ws) => this.server.emit('connection', ws, request));
  }

  /** Participants seated in a room through this process now (tests, diagnostics). */
  participants(room: string): string[] {
    const identities = [...this.peers.values()].filter((peer) => peer.seated && peer.seat.room === room).map((peer) => peer.seat.identity);
    return [...new Set(identities)];
  }

  /** The consultation ended: everyone in the room is disconnected, on whichever worker. */
  closeRoom(room: string): void {
    this.hub.closeRoom(room);
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const socket of this.server.clients) {
      socket.terminate();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.hub.close?.();
  }

  private connected(socket: WebSocket): void {
    const flow = new MessageFlow(this.limits);
    let peer: Peer | undefined;
    let joining = false;
    const joinTimer = setTimeout(() => socket.close(CLOSE.joinTimeout, 'No join message'), this.limits.joinTimeoutMs);
    trackAlive(socket);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (!flow.admit()) {
        if (flow.refused > this.limits.maxRefused) {
          socket.close(CLOSE.flood, 'Too many messages');
        } else {
          sendError(socket, 'rate-limited', 'Too many messages; this one was dropped');
        }
        return;
      }
      const message = parse(data, isBinary);
      if (typeof message === 'string') {
        flow.refuse();
        sendError(socket, 'malformed', message);
        return;
      }
      if (!peer) {
        if (joining) {
          sendError(socket, 'not-joined', 'Wait for the answer to the join message');
          return;
        }
        if (message.type !== 'join' || typeof message.token !== 'string') {
          flow.refuse();
          sendError(socket, 'not-joined', 'The first message must be {"type":"join","token":"<room token>"}');
          return;
        }
        joining = true;
        void this.join(socket, message.token).then((joined) => {
          joining = false;
          peer = joined;
          if (joined) {
            clearTimeout(joinTimer);
          }
        });
        return;
      }
      const relayed = toRelayed(message);
      if (typeof relayed === 'string') {
        flow.refuse();
        sendError(socket, 'malformed', relayed);
        return;
      }
      if (relayed.type === 'leave') {
        socket.close(1000, 'Left');
        return;
      }
      this.hub.relay(peer.seat, relayed);
    });
    socket.on('close', () => clearTimeout(joinTimer));
    socket.on('error', () => socket.terminate());
  }

  private async join(socket: WebSocket, token: string): Promise<Peer | undefined> {
    const grant = await this.options.verify(token);
    if (!grant) {
      socket.close(CLOSE.unauthorized, 'Invalid or expired room token');
      return undefined;
    }
    if (socket.readyState !== socket.OPEN) {
      return undefined;
    }
    const seat: RoomSeat = { room: grant.room, identity: grant.identity, connection: this.hub.newConnection() };
    const peer: Peer = { socket, seat, seated: false };
    // Registered before the answer, so that what the join causes can reach this connection.
    this.peers.set(seat.connection, peer);
    socket.once('close', () => {
      this.peers.delete(seat.connection);
      this.hub.leave(seat);
    });
    let outcome: JoinOutcome;
    try {
      outcome = await this.hub.join(seat);
    } catch {
      socket.close(CLOSE.unavailable, 'Signalling is unavailable for a moment; join again');
      return undefined;
    }
    if (outcome === 'full') {
      socket.close(CLOSE.roomFull, 'The room already has its two participants');
      return undefined;
    }
    peer.seated = true;
    const expiry = setTimeout(() => socket.close(CLOSE.unauthorized, 'The room token expired'), grant.expiresAt.getTime() - Date.now());
    expiry.unref();
    socket.once('close', () => clearTimeout(expiry));
    send(socket, {
      type: 'joined',
      room: grant.room,
      identity: grant.identity,
      peers: outcome.peers,
      iceServers: this.options.iceServers(grant),
    });
    return peer;
  }

  /** Carries out on this process's connection what a room change asks. */
  private apply(effect: SeatEffect): void {
    const peer = this.peers.get(effect.connection);
    if (!peer) {
      return;
    }
    if ('close' in effect) {
      peer.socket.close(effect.close.code, effect.close.reason);
    } else {
      send(peer.socket, effect.send);
    }
  }
}

/** A token bucket per connection. */
class MessageFlow {
  private tokens: number;
  private last = Date.now();
  refused = 0;

  constructor(private readonly limits: SignallingLimits) {
    this.tokens = limits.burst;
  }

  admit(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((now - this.last) / 1000) * this.limits.perSecond);
    this.last = now;
    if (this.tokens < 1) {
      this.refused++;
      return false;
    }
    this.tokens -= 1;
    return true;
  }

  refuse(): void {
    this.refused++;
  }
}

function parse(data: RawData, isBinary: boolean): Record<string, unknown> | string {
  if (isBinary) {
    return 'Messages are JSON text';
  }
  let value: unknown;
  try {
    value = JSON.parse(data.toString());
  } catch {
    return 'The message is not JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'A message is a JSON object with a "type"';
  }
  return value as Record<string, unknown>;
}

const MAX_SDP = 32 * 1024;
const MAX_CANDIDATE = 1024;

function toRelayed(message: Record<string, unknown>): RelayedMessage | string {
  switch (message.type) {
    case 'offer':
    case 'answer':
      if (typeof message.sdp !== 'string' || message.sdp.length === 0 || message.sdp.length > MAX_SDP) {
        return `"${message.type}" needs an "sdp" string of at most ${MAX_SDP} characters`;
      }
      return { type: message.type, sdp: message.sdp };
    case 'ice': {
      const candidate = message.candidate as Record<string, unknown> | null | undefined;
      if (
        typeof candidate !== 'object' ||
        candidate === null ||
        typeof candidate.candidate !== 'string' ||
        candidate.candidate.length > MAX_CANDIDATE ||
        !optional(candidate.sdpMid, 'string') ||
        !optional(candidate.sdpMLineIndex, 'number') ||
        !optional(candidate.usernameFragment, 'string')
      ) {
        return '"ice" needs a "candidate" object (RTCIceCandidateInit)';
      }
      return {
        type: 'ice',
        candidate: {
          candidate: candidate.candidate,
          sdpMid: (candidate.sdpMid as string | null | undefined) ?? null,
          sdpMLineIndex: (candidate.sdpMLineIndex as number | null | undefined) ?? null,
          ...(typeof candidate.usernameFragment === 'string' ? { usernameFragment: candidate.usernameFragment } : {}),
        },
      };
    }
    case 'leave':
      return { type: 'leave' };
    case 'join':
      return 'Already joined';
    default:
      return `Unknown message type ${JSON.stringify(String(message.type)).slice(0, 40)}`;
  }
}

function optional(value: unknown, type: 'string' | 'number'): boolean {
  return value === undefined || value === null || typeof value === type;
}

function send(socket: WebSocket, message: Record<string, unknown>): void {
  if (socket.readyState === socket.OPEN) {
    socket.send(JSON.stringify(message));
  }
}

function sendError(socket: WebSocket, code: string, message: string): void {
  send(socket, { type: 'error', code, message });
}
