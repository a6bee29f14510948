import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLOSE, VideoSignalling } from '../../src/http/video-signalling';
import { LocalSignallingHub } from '../../src/http/signalling-hub';
import type { JoinOutcome, RoomSeat } from '../../src/http/signalling-rooms';
import { attachWebSockets } from '../../src/http/websocket-upgrades';
import { SIGNALLING_PATH, WebRtcVideo } from '../../src/integrations/webrtc-video';
import { SignallingClient } from '../setup/signalling-client';

/**
 * Room tokens are short-lived: the signalling endpoint refuses an expired one and closes a
 * joined participant's connection the moment its token expires. Real tokens of the built-in
 * provider, a real HTTP server with the endpoint attached, real WebSocket clients.
 */
let http: Server;
let address: string;
let video: WebRtcVideo;
let signalling: VideoSignalling;
/** A second endpoint whose hub answers a join only when the test lets it. */
const HELD_PATH = '/held/signal';
let heldSignalling: VideoSignalling;
let releaseJoin: (() => void) | undefined;

class HeldJoinHub extends LocalSignallingHub {
  override async join(seat: RoomSeat): Promise<JoinOutcome> {
    await new Promise<void>((resolve) => (releaseJoin = resolve));
    return super.join(seat);
  }
}

beforeAll(async () => {
  http = createServer();
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  address = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  video = new WebRtcVideo({ publicUrl: address, stunUrls: [], turnUrls: [], roomTokenKey: randomBytes(32) });
  signalling = new VideoSignalling({ verify: (token) => video.verify(token), iceServers: () => [] });
  heldSignalling = new VideoSignalling({ verify: (token) => video.verify(token), iceServers: () => [], hub: new HeldJoinHub() });
  attachWebSockets(http, { [SIGNALLING_PATH]: signalling, [HELD_PATH]: heldSignalling });
});

afterAll(async () => {
  await signalling.close();
  await heldSignalling.close();
  await new Promise((resolve) => http.close(resolve));
});

/** A token of this provider, valid until `expiresAt`. */
async function roomToken(identity: string, expiresAt: Date): Promise<string> {
  const credentials = await video.issueCredentials({ room: 'room-expiry', identity, expiresAt });
  return credentials.token;
}

/** The server sees a close after the client does: wait (up to 5 s) for it to catch up. */
async function until(condition: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 5000; !condition();) {
    if (Date.now() > deadline) {
      throw new Error('condition not met within 5 s');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a joined participant is disconnected when the room token expires, and cannot join again with it', async () => {
  // JWT expiry has one-second resolution: a token for the next full second plus one.
  const expiresAt = new Date((Math.floor(Date.now() / 1000) + 2) * 1000);
  const token = await roomToken('Patient/p1', expiresAt);
  const { client, joined } = await SignallingClient.join(address, token);
  expect(joined).toMatchObject({ type: 'joined', identity: 'Patient/p1' });
  expect(signalling.participants('room-expiry')).toEqual(['Patient/p1']);

  const closed = await client.closed;
  expect(closed).toEqual({ code: CLOSE.unauthorized, reason: 'The room token expired' });
  expect(Date.now()).toBeGreaterThanOrEqual(expiresAt.getTime() - 50);
  await until(() => signalling.participants('room-expiry').length === 0);

  const again = await SignallingClient.connect(address);
  again.send({ type: 'join', token });
  expect(await again.closed).toEqual({ code: CLOSE.unauthorized, reason: 'Invalid or expired room token' });
});

test('a token that is still valid keeps its connection open past another participant’s expiry', async () => {
  const shortLived = await roomToken('Patient/p2', new Date((Math.floor(Date.now() / 1000) + 2) * 1000));
  const longLived = await roomToken('Practitioner/d1', new Date(Date.now() + 60_000));
  const patient = await SignallingClient.join(address, shortLived);
  const doctor = await SignallingClient.join(address, longLived);
  await patient.client.next('peer-joined');

  expect((await patient.client.closed).reason).toBe('The room token expired');
  expect(await doctor.client.next('peer-left')).toMatchObject({ identity: 'Patient/p2' });
  await until(() => signalling.participants('room-expiry').length === 1);
  expect(signalling.participants('room-expiry')).toEqual(['Practitioner/d1']);
  await doctor.client.close();
});

test('a connection counts as a participant once its join is answered, not while it waits', async () => {
  const client = await SignallingClient.connect(address, HELD_PATH);
  client.send({ type: 'join', token: await roomToken('Patient/p3', new Date(Date.now() + 60_000)) });
  await until(() => releaseJoin !== undefined);
  expect(heldSignalling.participants('room-expiry')).toEqual([]);

  releaseJoin?.();
  await client.next('joined');
  expect(heldSignalling.participants('room-expiry')).toEqual(['Patient/p3']);
  await client.close();
});
