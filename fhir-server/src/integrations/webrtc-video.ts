import { createHmac } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import type { CredentialRequest, IceServer, VideoCredentials, VideoProvider } from '../domain/video/video-provider';

export interface WebRtcVideoOptions {
  /** The server's public URL; the signalling WebSocket is at `<ws(s) of it>/video/signal`. */
  readonly publicUrl: string;
  readonly stunUrls: readonly string[];
  readonly turnUrls: readonly string[];
  /** coturn `static-auth-secret`: TURN credentials are derived per participant (TURN REST API). */
  readonly turnSecret?: string;
  /**
   * HS256 key of the room tokens. Derived from the server's signing key, it is the same on
   * every instance and after a restart, so a token works wherever its WebSocket lands.
   */
  readonly roomTokenKey: Uint8Array;
}

/** What a verified room token grants: one identity in one room until it expires. */
export interface RoomGrant {
  readonly room: string;
  readonly identity: string;
  readonly expiresAt: Date;
}

const AUDIENCE = 'medbuddy-video-signalling';
export const SIGNALLING_PATH = '/video/signal';

/**
 * The built-in provider: room tokens (HS256 JWTs, `roomTokenKey`) for our own
 * signalling endpoint, and the STUN/TURN servers to use. The browsers then connect peer to
 * peer; the server only relays the offer, answer and ICE candidates.
 */
export class WebRtcVideo implements VideoProvider {
  readonly name = 'webrtc' as const;
  private readonly roomCompleted: ((room: string) => void)[] = [];

  constructor(private readonly options: WebRtcVideoOptions) {}

  async issueCredentials(request: CredentialRequest): Promise<VideoCredentials> {
    const token = await new SignJWT({ room: request.room })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(request.identity)
      .setIssuer(this.options.publicUrl)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(request.expiresAt.getTime() / 1000))
      .sign(this.options.roomTokenKey);
    const url = new URL(SIGNALLING_PATH, this.options.publicUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return {
      provider: 'webrtc',
      room: request.room,
      identity: request.identity,
      token,
      expiresAt: request.expiresAt,
      signallingUrl: url.toString(),
      iceServers: this.iceServers(request.identity, request.expiresAt),
    };
  }

  /** The grant of a room token signed with the key; undefined when forged, expired or not a room token. */
  async verify(token: string): Promise<RoomGrant | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.options.roomTokenKey, {
        audience: AUDIENCE,
        issuer: this.options.publicUrl,
        algorithms: ['HS256'],
      });
      if (typeof payload.room !== 'string' || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') {
        return undefined;
      }
      return { room: payload.room, identity: payload.sub, expiresAt: new Date(payload.exp * 1000) };
    } catch {
      return undefined;
    }
  }

  /** Calls `listener` when a consultation ends (the signalling endpoint closes its room). */
  onRoomCompleted(listener: (room: string) => void): void {
    this.roomCompleted.push(listener);
  }

  async completeRoom(room: string): Promise<void> {
    for (const listener of this.roomCompleted) {
      listener(room);
    }
  }

  /** STUN as configured; TURN with time-limited credentials (username `<expiry>:<identity>`, HMAC-SHA1 password). */
  iceServers(identity: string, expiresAt: Date): IceServer[] {
    const servers: IceServer[] = [];
    if (this.options.stunUrls.length > 0) {
      servers.push({ urls: this.options.stunUrls });
    }
    if (this.options.turnUrls.length > 0 && this.options.turnSecret) {
      const username = `${Math.floor(expiresAt.getTime() / 1000)}:${identity}`;
      const credential = createHmac('sha1', this.options.turnSecret).update(username).digest('base64');
      servers.push({ urls: this.options.turnUrls, username, credential });
    }
    return servers;
  }
}
