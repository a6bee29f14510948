import { InjectionToken } from '@angular/core';
import type { ConnectOptions, RemoteParticipant, RemoteTrack, Room, TwilioError } from 'twilio-video';
import type { VideoCredentials } from './video-credentials';
import { partnerLeft, waitingFor } from './call-messages';

/** twilio-video's `connect()`: the boundary to Twilio's cloud (a fake of it in the specs). */
export type TwilioConnect = (token: string, options: ConnectOptions) => Promise<Room>;

/**
 * Loads twilio-video on first use, in its own lazy chunk: the main bundle stays small and
 * patients on the built-in provider never download it.
 */
export const TWILIO_CONNECT = new InjectionToken<() => Promise<TwilioConnect>>('TWILIO_CONNECT', {
  providedIn: 'root',
  factory: () => () => import('twilio-video').then((twilio) => twilio.connect as TwilioConnect),
});

/** Twilio error codes (https://www.twilio.com/docs/api/errors) the call treats on their own. */
const TOKEN_EXPIRED = 20104;
const ROOM_COMPLETED = 53118;
const DUPLICATE_IDENTITY = 53205;
const ROOM_FULL = 53105;

/** How the room's life is told to VideoCall (the same states as the built-in provider's). */
export interface RoomEvents {
  /** In the room, nobody else there (yet, or any more). */
  waiting(message: string): void;
  /** The other participant is there; their media, as one stream, whenever a track comes or goes. */
  connected(remote: MediaStream | undefined): void;
  /** Twilio is restoring the media connection by itself. */
  reconnecting(message: string): void;
  /** The consultation ended (the room was completed). */
  ended(): void;
  /** The call cannot go on (replaced, room full). */
  failed(message: string): void;
  /** Lost (expired token, network): VideoCall joins again with fresh credentials. */
  dropped(message: string): void;
}

/**
 * The consultation's call over Twilio Video: joins the room with the access token and the
 * camera and microphone tracks already open (muting and the camera switch act on those tracks),
 * and tells VideoCall about the other participant's tracks and the room's state.
 */
export class TwilioRoom {
  private room?: Room;
  private closed = false;

  private constructor(
    private readonly events: RoomEvents,
    private readonly partner: string,
  ) {}

  static async join(
    connect: TwilioConnect,
    credentials: VideoCredentials,
    local: MediaStream | undefined,
    events: RoomEvents,
    partner: string,
  ): Promise<TwilioRoom> {
    const call = new TwilioRoom(events, partner);
    let room: Room;
    try {
      room = await connect(credentials.token, { name: credentials.room, tracks: local?.getTracks() ?? [] });
    } catch (error) {
      call.closed = true;
      call.disconnected(error as TwilioError);
      return call;
    }
    call.attach(room);
    return call;
  }

  /** Leaves the room (Twilio tells the other participant). */
  close(): void {
    this.closed = true;
    this.room?.disconnect();
    this.room = undefined;
  }

  private attach(room: Room): void {
    this.room = room;
    room.on('participantConnected', (participant: RemoteParticipant) => this.follow(participant));
    room.on('participantDisconnected', () => {
      if (room.participants.size === 0) {
        this.events.waiting(partnerLeft(this.partner));
      }
    });
    room.on('reconnecting', () => this.events.reconnecting('The connection is unstable; reconnecting…'));
    room.on('reconnected', () => this.showRemote());
    room.on('disconnected', (_room: Room, error?: TwilioError) => {
      if (!this.closed) {
        this.closed = true;
        this.room = undefined;
        this.disconnected(error);
      }
    });
    const present = [...room.participants.values()];
    if (present.length === 0) {
      this.events.waiting(waitingFor(this.partner));
    }
    present.forEach((participant) => this.follow(participant));
  }

  private follow(participant: RemoteParticipant): void {
    participant.on('trackSubscribed', () => this.showRemote());
    participant.on('trackUnsubscribed', () => this.showRemote());
    this.showRemote();
  }

  /** One MediaStream of the other participant's subscribed audio and video tracks. */
  private showRemote(): void {
    const participant = [...(this.room?.participants.values() ?? [])][0];
    if (!participant) {
      return;
    }
    const tracks = [...participant.tracks.values()]
      .map((publication) => publication.track as RemoteTrack | null)
      .filter((track): track is Exclude<RemoteTrack, { kind: 'data' }> => !!track && track.kind !== 'data')
      .map((track) => track.mediaStreamTrack);
    this.events.connected(tracks.length > 0 ? new MediaStream(tracks) : undefined);
  }

  private disconnected(error: TwilioError | undefined): void {
    switch (error?.code) {
      case undefined:
        this.events.dropped(error?.message ?? 'The connection dropped.');
        break;
      case ROOM_COMPLETED:
        this.events.ended();
        break;
      case DUPLICATE_IDENTITY:
        this.events.failed('You joined this call from another window or device, so this one was closed.');
        break;
      case ROOM_FULL:
        this.events.failed('This call already has its two participants.');
        break;
      case TOKEN_EXPIRED:
        this.events.dropped('Your access to the call expired; joining again…');
        break;
      default:
        this.events.dropped(error?.message || 'The connection dropped.');
    }
  }
}
