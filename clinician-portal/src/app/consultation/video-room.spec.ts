import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { VideoRoom } from './video-room';

const BASE = 'http://medbuddy.test/fhir';

describe('VideoRoom', () => {
  let room: VideoRoom;
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideHttpClient(), provideHttpClientTesting(), { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } }],
    });
    room = TestBed.inject(VideoRoom);
    http = TestBed.inject(HttpTestingController);
  });

  afterEach(() => http.verify());

  it("is the server's room page with the token of $video-token in the fragment", async () => {
    const url = room.url('e1');
    http.expectOne({ method: 'POST', url: `${BASE}/Encounter/e1/$video-token` }).flush({
      resourceType: 'Parameters',
      parameter: [
        { name: 'provider', valueCode: 'webrtc' },
        { name: 'token', valueString: 'abc.def' },
      ],
    });
    expect(await url).toBe('http://medbuddy.test/video/room#token=abc.def');
  });

  it('names the Twilio provider and its room in the fragment too', async () => {
    const url = room.url('e1');
    http.expectOne(`${BASE}/Encounter/e1/$video-token`).flush({
      resourceType: 'Parameters',
      parameter: [
        { name: 'provider', valueCode: 'twilio' },
        { name: 'room', valueString: 'appointment-a1' },
        { name: 'token', valueString: 'eyJ.twilio.jwt' },
      ],
    });
    expect(await url).toBe('http://medbuddy.test/video/room#token=eyJ.twilio.jwt&provider=twilio&room=appointment-a1');
  });

  it('gives the $video-token answer as credentials for the call in the workspace', async () => {
    const credentials = room.credentials('e1');
    http.expectOne({ method: 'POST', url: `${BASE}/Encounter/e1/$video-token` }).flush({
      resourceType: 'Parameters',
      parameter: [
        { name: 'provider', valueCode: 'webrtc' },
        { name: 'room', valueString: 'appointment-a1' },
        { name: 'token', valueString: 'abc.def' },
        { name: 'signallingUrl', valueUrl: 'ws://medbuddy.test/video/signal' },
        { name: 'iceServer', part: [{ name: 'urls', valueString: 'stun:turn.medbuddy.test:3478' }] },
      ],
    });
    expect(await credentials).toMatchObject({
      provider: 'webrtc',
      room: 'appointment-a1',
      token: 'abc.def',
      signallingUrl: 'ws://medbuddy.test/video/signal',
      iceServers: [{ urls: ['stun:turn.medbuddy.test:3478'] }],
    });
  });

  it('refuses an answer without a token', async () => {
    const credentials = room.credentials('e1');
    http.expectOne(`${BASE}/Encounter/e1/$video-token`).flush({ resourceType: 'Parameters', parameter: [] });
    await expect(credentials).rejects.toThrow('The server gave no video token.');
  });

  it("passes on the server's refusal", async () => {
    const url = room.url('e1');
    http
      .expectOne(`${BASE}/Encounter/e1/$video-token`)
      .flush(
        { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', diagnostics: 'The visit has ended' }] },
        { status: 422, statusText: 'Unprocessable Entity' },
      );
    await expect(url).rejects.toMatchObject({ status: 422 });
  });
});
