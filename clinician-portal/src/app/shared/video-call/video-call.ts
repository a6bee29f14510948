import { DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import type { VideoCredentials } from './video-credentials';
import { capitalized, partnerLeft, waitingFor } from './call-messages';
import { TWILIO_CONNECT, TwilioRoom, type RoomEvents } from './twilio-room';

export type CallState = 'idle' | 'starting' | 'waiting' | 'connecting' | 'connected' | 'reconnecting' | 'left' | 'ended' | 'failed';

/**
 * Who is at the other end of the call, in words ("the doctor", "the patient"): the call's
 * messages name them. Each page that holds a call provides it.
 */
export const CALL_PARTNER = new InjectionToken<string>('CALL_PARTNER', { providedIn: 'root', factory: () => 'the other participant' });

/** Close codes of the server's signalling socket (fhir-server/src/http/video-signalling.ts). */
const CLOSE_REPLACED = 4000;
const CLOSE_UNAUTHORIZED = 4001;
const CLOSE_ROOM_FULL = 4003;
const CLOSE_ENDED = 4004;

/** Waits before reconnecting after a dropped connection: 1 s, 2 s, 4 s ... up to 15 s. */
const RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 15_000];

type SignalMessage =
  | { type: 'joined'; peers: string[]; iceServers?: RTCIceServer[] }
  | { type: 'peer-joined' | 'peer-left' }
  | { type: 'offer' | 'answer'; sdp: string }
  | { type: 'ice'; candidate: RTCIceCandidateInit }
  | { type: 'error'; message: string };

/**
 * A video call in the consultation's room, with the provider the server's credentials name
 * (`provider`). Built-in WebRTC: the camera and microphone, a WebSocket to the signalling URL
 * (first message: join with the room token), and one RTCPeerConnection to the other
 * participant, re-made when they join again. Twilio: the same camera and microphone tracks
 * published to the Twilio Video room (twilio-room.ts, the SDK loaded on first use). Either way
 * mute and camera switch the local tracks off without leaving; leave says so to the room; a
 * dropped connection is retried with a fresh token, and `reconnect()` does it at once.
 */
@Injectable()
export class VideoCall {
  readonly state = signal<CallState>('idle');
  /** What the user should know about the connection, in words. */
  readonly message = signal<string | undefined>(undefined);
  readonly localStream = signal<MediaStream | undefined>(undefined);
  readonly remoteStream = signal<MediaStream | undefined>(undefined);
  readonly muted = signal(false);
  readonly cameraOff = signal(false);

  private credentialsSource?: () => Promise<VideoCredentials>;
  private socket?: WebSocket;
  private peer?: RTCPeerConnection;
  private iceServers: RTCIceServer[] = [];
  private queue: Promise<void> = Promise.resolve();
  private retries = 0;
  private retryTimer?: ReturnType<typeof setTimeout>;
  private readonly twilioConnect = inject(TWILIO_CONNECT);
  private twilio?: TwilioRoom;
  private readonly partner = inject(CALL_PARTNER);
  /** Bumped whenever the connection is closed, so a Twilio join still in flight is dropped. */
  private attempt = 0;

  constructor() {
    inject(DestroyRef).onDestroy(() => this.leave());
  }

  /** Starts the camera and microphone and joins the room with credentials from `source` (asked again on every reconnect). */
  async join(source: () => Promise<VideoCredentials>): Promise<void> {
    this.credentialsSource = source;
    this.state.set('starting');
    this.message.set(undefined);
    try {
      if (!this.localStream()) {
        const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
        this.localStream.set(stream);
        this.applyTrackSwitches();
      }
    } catch (error) {
      this.fail(`Your camera or microphone is not available: ${(error as Error).message}. Allow them for this site and try again.`);
      return;
    }
    await this.connect();
  }

  toggleMute(): void {
    this.muted.update((muted) => !muted);
    this.applyTrackSwitches();
  }

  toggleCamera(): void {
    this.cameraOff.update((off) => !off);
    this.applyTrackSwitches();
  }

  /** Drops the connection and joins again now (a new token, a new peer connection). */
  async reconnect(): Promise<void> {
    if (!this.credentialsSource) {
      return;
    }
    this.closeConnection();
    this.retries = 0;
    this.state.set('reconnecting');
    await this.connect();
  }

  /** Leaves the room: the other side is told, the camera and microphone are released. */
  leave(): void {
    this.send({ type: 'leave' });
    this.closeConnection();
    for (const track of this.localStream()?.getTracks() ?? []) {
      track.stop();
    }
    this.localStream.set(undefined);
    if (this.state() !== 'ended' && this.state() !== 'idle') {
      this.state.set('left');
      this.message.set(undefined);
    }
  }

  private async connect(): Promise<void> {
    let credentials: VideoCredentials;
    try {
      credentials = await (this.credentialsSource as () => Promise<VideoCredentials>)();
    } catch (error) {
      this.scheduleRetry(`Could not get into the video room (${(error as Error).message}).`);
      return;
    }
    if (credentials.provider === 'twilio') {
      await this.connectTwilio(credentials);
      return;
    }
    if (credentials.provider !== 'webrtc' || !credentials.signallingUrl) {
      this.fail('This consultation uses a video service this app cannot open yet. Please contact MedBuddy support.');
      return;
    }
    this.iceServers = credentials.iceServers;
    const socket = new WebSocket(credentials.signallingUrl);
    this.socket = socket;
    this.state.set(this.state() === 'reconnecting' ? 'reconnecting' : 'connecting');
    socket.onopen = () => socket.send(JSON.stringify({ type: 'join', token: credentials.token }));
    socket.onmessage = (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as SignalMessage;
      this.queue = this.queue.then(() => this.handle(message)).catch((error: unknown) => this.message.set(String(error)));
    };
    socket.onclose = (event) => {
      if (this.socket === socket) {
        this.closed(event.code, event.reason);
      }
    };
  }

  private async connectTwilio(credentials: VideoCredentials): Promise<void> {
    const attempt = ++this.attempt;
    this.state.set(this.state() === 'reconnecting' ? 'reconnecting' : 'connecting');
    let connect;
    try {
      connect = await this.twilioConnect();
    } catch (error) {
      this.scheduleRetry(`The video service could not be loaded (${(error as Error).message}).`);
      return;
    }
    const current = () => attempt === this.attempt;
    const events: RoomEvents = {
      waiting: (message) => {
        if (current()) {
          this.retries = 0;
          this.remoteStream.set(undefined);
          this.state.set('waiting');
          this.message.set(message);
        }
      },
      connected: (remote) => {
        if (current()) {
          this.retries = 0;
          this.remoteStream.set(remote);
          this.state.set('connected');
          this.message.set(undefined);
        }
      },
      reconnecting: (message) => {
        if (current()) {
          this.state.set('reconnecting');
          this.message.set(message);
        }
      },
      ended: () => {
        if (current()) {
          this.state.set('ended');
          this.message.set('The consultation has ended.');
          this.leave();
        }
      },
      failed: (message) => current() && this.fail(message),
      dropped: (message) => {
        if (current() && this.state() !== 'left') {
          this.twilio = undefined;
          this.remoteStream.set(undefined);
          this.scheduleRetry(message);
        }
      },
    };
    const room = await TwilioRoom.join(connect, credentials, this.localStream(), events, this.partner);
    if (current()) {
      this.twilio = room;
    } else {
      room.close();
    }
  }

  private async handle(message: SignalMessage): Promise<void> {
    switch (message.type) {
      case 'joined':
        this.retries = 0;
        this.iceServers = message.iceServers ?? this.iceServers;
        this.newPeerConnection();
        if (message.peers.length > 0) {
          this.state.set('connecting');
          await this.offer();
        } else {
          this.state.set('waiting');
          this.message.set(waitingFor(this.partner));
        }
        break;
      case 'peer-joined':
        this.newPeerConnection();
        this.state.set('connecting');
        this.message.set(`${capitalized(this.partner)} is joining…`);
        break;
      case 'offer': {
        const peer = this.peer as RTCPeerConnection;
        await peer.setRemoteDescription({ type: 'offer', sdp: message.sdp });
        await peer.setLocalDescription(await peer.createAnswer());
        this.send({ type: 'answer', sdp: peer.localDescription?.sdp });
        break;
      }
      case 'answer':
        await this.peer?.setRemoteDescription({ type: 'answer', sdp: message.sdp });
        break;
      case 'ice':
        await this.peer?.addIceCandidate(message.candidate).catch(() => undefined);
        break;
      case 'peer-left':
        this.remoteStream.set(undefined);
        this.newPeerConnection();
        this.state.set('waiting');
        this.message.set(partnerLeft(this.partner));
        break;
      case 'error':
        this.message.set(message.message);
        break;
    }
  }

  private async offer(): Promise<void> {
    const peer = this.peer as RTCPeerConnection;
    await peer.setLocalDescription(await peer.createOffer());
    this.send({ type: 'offer', sdp: peer.localDescription?.sdp });
  }

  private newPeerConnection(): void {
    this.peer?.close();
    const peer = new RTCPeerConnection({ iceServers: this.iceServers });
    this.peer = peer;
    const stream = this.localStream();
    for (const track of stream?.getTracks() ?? []) {
      peer.addTrack(track, stream as MediaStream);
    }
    peer.onicecandidate = (event) => event.candidate && this.send({ type: 'ice', candidate: event.candidate.toJSON() });
    peer.ontrack = (event) => this.remoteStream.set(event.streams[0]);
    peer.onconnectionstatechange = () => {
      if (this.peer !== peer) {
        return;
      }
      if (peer.connectionState === 'connected') {
        this.state.set('connected');
        this.message.set(undefined);
      } else if (peer.connectionState === 'failed') {
        void this.reconnect();
      }
    };
  }

  private closed(code: number, reason: string): void {
    this.socket = undefined;
    this.peer?.close();
    this.peer = undefined;
    this.remoteStream.set(undefined);
    if (this.state() === 'left') {
      return;
    }
    if (code === CLOSE_ENDED) {
      this.state.set('ended');
      this.message.set('The consultation has ended.');
      this.leave();
    } else if (code === CLOSE_REPLACED) {
      this.fail('You joined this call from another window or device, so this one was closed.');
    } else if (code === CLOSE_ROOM_FULL) {
      this.fail('This call already has its two participants.');
    } else {
      // Expired token (4001), a dropped network: join again with a fresh token.
      this.scheduleRetry(
        code === CLOSE_UNAUTHORIZED ? 'Your access to the call expired; joining again…' : reason || 'The connection dropped.',
      );
    }
  }

  private scheduleRetry(why: string): void {
    const delay = RETRY_DELAYS_MS[Math.min(this.retries, RETRY_DELAYS_MS.length - 1)];
    this.retries++;
    this.state.set('reconnecting');
    this.message.set(`${why} Trying again in ${Math.round(delay / 1000)} s…`);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  private fail(message: string): void {
    this.closeConnection();
    this.state.set('failed');
    this.message.set(message);
  }

  private closeConnection(): void {
    clearTimeout(this.retryTimer);
    this.attempt++;
    this.twilio?.close();
    this.twilio = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, 'Left');
    this.peer?.close();
    this.peer = undefined;
    this.remoteStream.set(undefined);
  }

  private applyTrackSwitches(): void {
    const stream = this.localStream();
    for (const track of stream?.getAudioTracks() ?? []) {
      track.enabled = !this.muted();
    }
    for (const track of stream?.getVideoTracks() ?? []) {
      track.enabled = !this.cameraOff();
    }
  }

  private send(message: Record<string, unknown>): void {
    if (this.socket?.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(message));
    }
  }
}
