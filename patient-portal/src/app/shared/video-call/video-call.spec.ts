import { TestBed } from '@angular/core/testing';
import type { ConnectOptions, Room } from 'twilio-video';
import type { VideoCredentials } from './video-credentials';
import { TWILIO_CONNECT } from './twilio-room';
import { CALL_PARTNER, VideoCall } from './video-call';

/** Twilio's cloud cannot be reached from tests: a fake of twilio-video's connect() boundary (rooms, participants, tracks). */
class Emitter {
  private readonly listeners = new Map<string, ((...args: unknown[]) => void)[]>();
  on(event: string, listener: (...args: unknown[]) => void): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    (this.listeners.get(event) ?? []).forEach((listener) => listener(...args));
  }
}

class FakeTrack {
  enabled = true;
  stopped = false;
  constructor(readonly kind: 'audio' | 'video') {}
  stop(): void {
    this.stopped = true;
  }
}

class FakeMediaStream {
  constructor(private readonly tracks: FakeTrack[] = []) {}
  getTracks = () => this.tracks;
  getAudioTracks = () => this.tracks.filter((track) => track.kind === 'audio');
  getVideoTracks = () => this.tracks.filter((track) => track.kind === 'video');
}

class FakeParticipant extends Emitter {
  readonly tracks = new Map<string, { track: { kind: string; mediaStreamTrack: FakeTrack } | null }>();
  subscribe(kind: 'audio' | 'video'): FakeTrack {
    const mediaStreamTrack = new FakeTrack(kind);
    const track = { kind, mediaStreamTrack };
    this.tracks.set(`MT-${kind}`, { track });
    this.emit('trackSubscribed', track);
    return mediaStreamTrack;
  }
}

class FakeRoom extends Emitter {
  readonly participants = new Map<string, FakeParticipant>();
  disconnected = false;
  constructor(
    readonly token: string,
    readonly options: ConnectOptions,
  ) {
    super();
  }
  disconnect(): void {
    this.disconnected = true;
    this.emit('disconnected', this);
  }
  join(): FakeParticipant {
    const doctor = new FakeParticipant();
    this.participants.set('PA-doctor', doctor);
    this.emit('participantConnected', doctor);
    return doctor;
  }
  leaveDoctor(): void {
    this.participants.clear();
    this.emit('participantDisconnected', {});
  }
  dropWith(code: number, message = 'Twilio error'): void {
    this.emit('disconnected', this, Object.assign(new Error(message), { code }));
  }
}

function twilioCredentials(token: string): VideoCredentials {
  return { provider: 'twilio', room: 'appointment-a1', identity: 'Patient/p1', token, expires: '2026-01-01T00:00:00Z', iceServers: [] };
}

describe('VideoCall with the Twilio provider', () => {
  let rooms: FakeRoom[];
  let tokens: number;
  let local: FakeMediaStream;
  let call: VideoCall;
  const settle = () => vi.advanceTimersByTimeAsync(0);

  beforeEach(() => {
    vi.useFakeTimers();
    rooms = [];
    tokens = 0;
    local = new FakeMediaStream([new FakeTrack('audio'), new FakeTrack('video')]);
    vi.stubGlobal('MediaStream', FakeMediaStream);
    vi.stubGlobal('navigator', { ...navigator, mediaDevices: { getUserMedia: async () => local } });
    TestBed.configureTestingModule({
      providers: [
        VideoCall,
        { provide: CALL_PARTNER, useValue: 'the doctor' },
        {
          provide: TWILIO_CONNECT,
          useValue: async () => async (token: string, options: ConnectOptions) => {
            const room = new FakeRoom(token, options);
            rooms.push(room);
            return room as unknown as Room;
          },
        },
      ],
    });
    call = TestBed.inject(VideoCall);
  });

  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  const join = () => call.join(async () => twilioCredentials(`token-${++tokens}`));

  it('joins the room with the token and the camera and microphone tracks, waits for the doctor, then shows their tracks', async () => {
    await join();
    await settle();
    expect(rooms).toHaveLength(1);
    expect(rooms[0].token).toBe('token-1');
    expect(rooms[0].options.name).toBe('appointment-a1');
    expect(rooms[0].options.tracks).toEqual(local.getTracks());
    expect(call.state()).toBe('waiting');
    expect(call.message()).toBe('Waiting for the doctor to join the call…');

    const doctor = rooms[0].join();
    const video = doctor.subscribe('video');
    const audio = doctor.subscribe('audio');
    expect(call.state()).toBe('connected');
    expect((call.remoteStream() as unknown as FakeMediaStream).getTracks()).toEqual([video, audio]);

    rooms[0].leaveDoctor();
    expect(call.state()).toBe('waiting');
    expect(call.message()).toBe('The doctor left the call. Waiting for them to come back…');
    expect(call.remoteStream()).toBeUndefined();
  });

  it('names the other participant as the page provides them (the doctor waits for the patient)', async () => {
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        VideoCall,
        { provide: CALL_PARTNER, useValue: 'the patient' },
        {
          provide: TWILIO_CONNECT,
          useValue: async () => async (token: string, options: ConnectOptions) => {
            const room = new FakeRoom(token, options);
            rooms.push(room);
            return room as unknown as Room;
          },
        },
      ],
    });
    call = TestBed.inject(VideoCall);
    await join();
    await settle();
    expect(call.message()).toBe('Waiting for the patient to join the call…');
    rooms[0].join().subscribe('video');
    rooms[0].leaveDoctor();
    expect(call.message()).toBe('The patient left the call. Waiting for them to come back…');
  });

  it('mutes and switches the camera off on the tracks published to the room', async () => {
    await join();
    call.toggleMute();
    call.toggleCamera();
    expect(local.getAudioTracks()[0].enabled).toBe(false);
    expect(local.getVideoTracks()[0].enabled).toBe(false);
    call.toggleMute();
    expect(local.getAudioTracks()[0].enabled).toBe(true);
  });

  it('joins again with a fresh token when the access token expired (20104) or the network dropped', async () => {
    await join();
    await settle();
    rooms[0].dropWith(20104);
    expect(call.state()).toBe('reconnecting');
    expect(call.message()).toMatch(/expired/);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(rooms.map((room) => room.token)).toEqual(['token-1', 'token-2']);
    expect(call.state()).toBe('waiting');

    rooms[1].emit('reconnecting');
    expect(call.state()).toBe('reconnecting');
    rooms[1].join().subscribe('video');
    rooms[1].emit('reconnected');
    expect(call.state()).toBe('connected');
  });

  it('says when the doctor ended the consultation (room completed, 53118) and releases the camera', async () => {
    await join();
    await settle();
    rooms[0].dropWith(53118);
    expect(call.state()).toBe('ended');
    expect(call.message()).toBe('The consultation has ended.');
    expect(local.getTracks().every((track) => track.stopped)).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(rooms).toHaveLength(1);
  });

  it('fails without retrying when the same patient joined elsewhere (53205)', async () => {
    await join();
    await settle();
    rooms[0].dropWith(53205);
    expect(call.state()).toBe('failed');
    expect(call.message()).toMatch(/another window or device/);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(rooms).toHaveLength(1);
  });

  it('leave() disconnects from the room without joining again; reconnect() joins a new room at once', async () => {
    await join();
    await settle();
    await call.reconnect();
    await settle();
    expect(rooms[0].disconnected).toBe(true);
    expect(rooms).toHaveLength(2);
    expect(call.state()).toBe('waiting');

    call.leave();
    expect(rooms[1].disconnected).toBe(true);
    expect(call.state()).toBe('left');
    expect(call.message()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(rooms).toHaveLength(2);
  });

  it('a room that cannot be joined is retried', async () => {
    TestBed.resetTestingModule();
    let refusals = 1;
    TestBed.configureTestingModule({
      providers: [
        VideoCall,
        { provide: CALL_PARTNER, useValue: 'the doctor' },
        {
          provide: TWILIO_CONNECT,
          useValue: async () => async (token: string, options: ConnectOptions) => {
            if (refusals-- > 0) {
              throw Object.assign(new Error('Signaling connection error'), { code: 53000 });
            }
            const room = new FakeRoom(token, options);
            rooms.push(room);
            return room as unknown as Room;
          },
        },
      ],
    });
    call = TestBed.inject(VideoCall);
    await join();
    await settle();
    expect(call.state()).toBe('reconnecting');
    expect(call.message()).toMatch(/Signaling connection error/);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(call.state()).toBe('waiting');
  });
});
