import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * The room page in Twilio mode, in Debian's Chromium with fake camera and microphone. Twilio's
 * cloud cannot be reached from here: the real twilio-video bundle is checked to load from this
 * server under the page's CSP, and the call itself runs against a fake of the SDK's `connect()`
 * boundary (rooms, participants, tracks events), served in place of the bundle.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

/** window.Twilio.Video with connect(): records its arguments, and lets the test play the room's events. */
const FAKE_SDK = `(() => {
  class Emitter {
    constructor() { this.listeners = {}; }
    on(event, listener) { (this.listeners[event] = this.listeners[event] || []).push(listener); return this; }
    emit(event, ...args) { (this.listeners[event] || []).forEach((listener) => listener(...args)); }
  }
  window.fakeTwilio = { calls: [] };
  window.Twilio = { Video: { connect: async (token, options) => {
    const room = new Emitter();
    room.participants = new Map();
    room.disconnect = () => room.emit('disconnected', room);
    window.fakeTwilio.calls.push({ token, name: options.name, kinds: options.tracks.map((track) => track.kind).sort() });
    window.fakeTwilio.room = room;
    window.fakeTwilio.doctorJoins = () => {
      const canvas = document.createElement('canvas');
      canvas.width = 320; canvas.height = 240;
      const paint = () => { const c = canvas.getContext('2d'); c.fillStyle = '#' + Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, '0'); c.fillRect(0, 0, 320, 240); };
      paint(); setInterval(paint, 50);
      const doctor = new Emitter();
      const mediaStreamTrack = canvas.captureStream(20).getVideoTracks()[0];
      doctor.tracks = new Map([['MT1', { track: { kind: 'video', mediaStreamTrack } }]]);
      room.participants.set('PA1', doctor);
      room.emit('participantConnected', doctor);
      doctor.emit('trackSubscribed', doctor.tracks.get('MT1').track);
    };
    return room;
  } } };
})();`;

let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function newPage(problems: string[]): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`));
  return page;
}

test("twilio-video's browser bundle loads from this server under the room page's CSP", async () => {
  const problems: string[] = [];
  const page = await newPage(problems);
  await page.goto(`${server.address}/video/room`);
  await page.addScriptTag({ url: '/video/twilio-video.min.js' });
  const sdk = await page.evaluate(() => {
    const video = (window as unknown as { Twilio: { Video: { version: string; connect: unknown } } }).Twilio.Video;
    return { version: video.version, connect: typeof video.connect };
  });
  expect(sdk).toEqual({ version: '2.32.0', connect: 'function' });
  expect(problems).toEqual([]);
});

test('#provider=twilio joins the room with the access token and the camera and microphone, shows the doctor, and says when the consultation ends', async () => {
  const problems: string[] = [];
  const page = await newPage(problems);
  await page.route('**/video/twilio-video.min.js', (route) => route.fulfill({ contentType: 'text/javascript', body: FAKE_SDK }));
  await page.goto(`${server.address}/video/room#provider=twilio&room=appointment-a1&token=${encodeURIComponent('twilio.access.token')}`);
  await page.getByText('Waiting for the other participant…').waitFor({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { fakeTwilio: { calls: unknown[] } }).fakeTwilio.calls)).toEqual([
    { token: 'twilio.access.token', name: 'appointment-a1', kinds: ['audio', 'video'] },
  ]);

  await page.evaluate(() => (window as unknown as { fakeTwilio: { doctorJoins(): void } }).fakeTwilio.doctorJoins());
  await page.waitForFunction(() => document.body.dataset.connection === 'connected');
  await page.waitForFunction(() => (document.getElementById('remote') as HTMLVideoElement).videoWidth === 320, undefined, {
    timeout: 30_000,
  });

  // A dropped signalling connection (Twilio gave up reconnecting): the page joins again with the same token.
  await disconnect(page, { code: 53001, message: 'Signaling connection disconnected' });
  await page.getByText('The connection dropped (53001). Reconnecting in 1 s…').waitFor();
  await page.getByText('Waiting for the other participant…').waitFor({ timeout: 30_000 });
  expect(await page.evaluate(() => (window as unknown as { fakeTwilio: { calls: unknown[] } }).fakeTwilio.calls)).toHaveLength(2);
  await page.evaluate(() => (window as unknown as { fakeTwilio: { doctorJoins(): void } }).fakeTwilio.doctorJoins());
  await page.waitForFunction(() => document.body.dataset.connection === 'connected');

  await disconnect(page, { code: 53118, message: 'Room completed' });
  await page.getByText('The consultation has ended.').waitFor();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await page.evaluate(() => (window as unknown as { fakeTwilio: { calls: unknown[] } }).fakeTwilio.calls)).toHaveLength(2);
  expect(problems).toEqual([]);
});

/** The fake room ends the way twilio-video reports it: a `disconnected` event with the error. */
async function disconnect(page: Page, error: { code: number; message: string }): Promise<void> {
  await page.evaluate((e) => {
    const fake = (window as unknown as { fakeTwilio: { room: { emit(event: string, ...args: unknown[]): void } } }).fakeTwilio;
    fake.room.emit('disconnected', fake.room, e);
  }, error);
}
