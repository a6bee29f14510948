import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import type { ConnectOptions, Room } from 'twilio-video';
import { FHIR_ENDPOINT } from '../../core/fhir/fhir-endpoint';
import { TWILIO_CONNECT } from '../../shared/video-call/twilio-room';
import { VideoPanel } from './video-panel';

const BASE = 'http://medbuddy.test/fhir';
const settle = () => new Promise((resolve) => setTimeout(resolve));

/** Twilio's cloud cannot be reached from tests: an empty room at twilio-video's connect() boundary. */
class FakeRoom {
  readonly participants = new Map();
  disconnected = false;
  constructor(
    readonly token: string,
    readonly options: ConnectOptions,
  ) {}
  on(): this {
    return this;
  }
  disconnect(): void {
    this.disconnected = true;
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

describe('VideoPanel', () => {
  let rooms: FakeRoom[];
  let tracks: FakeTrack[];

  beforeEach(() => {
    rooms = [];
    tracks = [new FakeTrack('audio'), new FakeTrack('video')];
    const stream = {
      getTracks: () => tracks,
      getAudioTracks: () => tracks.filter((t) => t.kind === 'audio'),
      getVideoTracks: () => tracks.filter((t) => t.kind === 'video'),
    };
    vi.stubGlobal('navigator', { ...navigator, mediaDevices: { getUserMedia: async () => stream } });
    TestBed.configureTestingModule({
      imports: [VideoPanel],
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
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
  });

  afterEach(() => vi.unstubAllGlobals());

  function button(element: HTMLElement, name: string): HTMLButtonElement {
    const found = [...element.querySelectorAll('button')].find((b) => b.textContent?.trim() === name);
    expect(found, `a button "${name}"`).toBeTruthy();
    return found as HTMLButtonElement;
  }

  it("joins the encounter's room with its $video-token, says it waits for the patient, and mutes, switches the camera and leaves", async () => {
    const fixture = TestBed.createComponent(VideoPanel);
    fixture.componentRef.setInput('encounterId', 'e1');
    fixture.componentRef.setInput('patientName', 'Rebecca Adler');
    fixture.detectChanges();
    await settle();
    TestBed.inject(HttpTestingController)
      .expectOne({ method: 'POST', url: `${BASE}/Encounter/e1/$video-token` })
      .flush({
        resourceType: 'Parameters',
        parameter: [
          { name: 'provider', valueCode: 'twilio' },
          { name: 'room', valueString: 'appointment-a1' },
          { name: 'token', valueString: 'eyJ.twilio' },
        ],
      });
    await settle();
    await settle();
    fixture.detectChanges();
    const element = fixture.nativeElement as HTMLElement;
    expect(rooms.map((room) => [room.token, room.options.name])).toEqual([['eyJ.twilio', 'appointment-a1']]);
    expect(element.querySelector('[role="status"]')?.textContent).toContain('Waiting for the patient to join the call…');
    expect(element.querySelector('video.remote')?.getAttribute('aria-label')).toBe('Video of Rebecca Adler');

    button(element, 'Mute').click();
    button(element, 'Turn camera off').click();
    fixture.detectChanges();
    expect(tracks.map((track) => track.enabled)).toEqual([false, false]);
    expect(button(element, 'Unmute').getAttribute('aria-pressed')).toBe('true');

    button(element, 'Leave the call').click();
    fixture.detectChanges();
    expect(rooms[0].disconnected).toBe(true);
    expect(tracks.every((track) => track.stopped)).toBe(true);
    expect(element.querySelector('[role="status"]')?.textContent).toContain('You left the call.');
    let closed = false;
    fixture.componentInstance.closed.subscribe(() => (closed = true));
    button(element, 'Close the call panel').click();
    expect(closed).toBe(true);
    expect(button(element, 'Join the call again')).toBeTruthy();
  });

  it('says why the call cannot start when the server refuses the token', async () => {
    const fixture = TestBed.createComponent(VideoPanel);
    fixture.componentRef.setInput('encounterId', 'e1');
    fixture.detectChanges();
    await settle();
    TestBed.inject(HttpTestingController)
      .expectOne(`${BASE}/Encounter/e1/$video-token`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'The visit has ended' }] },
        { status: 422, statusText: 'Unprocessable Entity' },
      );
    await settle();
    fixture.detectChanges();
    expect((fixture.nativeElement as HTMLElement).querySelector('[role="status"]')?.textContent).toMatch(
      /Could not get into the video room/,
    );
    fixture.destroy();
  });
});
