import { chromium, type Browser, type Page } from 'playwright-core';
import { checkedIn, invoke, videoToken } from '../setup/consultations';
import { startTcpProxy } from '../setup/tcp-proxy';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * End to end in Debian's Chromium with fake camera and microphone: the patient and the doctor
 * open the server's room page with their room tokens, the built-in signalling connects them
 * peer to peer, and each decodes the other's video. Then the doctor ends the consultation.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

let server: TestServer;
let browser: Browser;
let patient: Actor;
let doctor: Actor;

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Opens the room page in a fresh browser context; page errors are collected for the test to check. */
async function openRoom(token: string, problems: string[], origin = server.address): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => message.type() === 'error' && problems.push(`console error: ${message.text()}`));
  await page.goto(`${origin}/video/room#token=${encodeURIComponent(token)}`);
  return page;
}

/** A checked-in, admitted consultation and both room tokens. */
async function admittedRoom() {
  const { encounter } = await checkedIn(server, patient, doctor);
  await invoke(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
  return {
    encounter,
    patientToken: (await videoToken(patient, encounter.id as string)).token as string,
    doctorToken: (await videoToken(doctor, encounter.id as string)).token as string,
  };
}

/** Polls until the page has decoded video frames from the other participant (up to a minute). */
async function waitForRemoteVideo(page: Page): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const frames = await page.evaluate(() =>
      (window as unknown as { medbuddyVideo: { framesDecoded(): Promise<number> } }).medbuddyVideo.framesDecoded(),
    );
    if (frames > 0 || Date.now() > deadline) {
      return frames;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test('two browsers join the appointment room and each receives the other’s video', async () => {
  const { encounter, patientToken, doctorToken } = await admittedRoom();
  const problems: string[] = [];

  const patientPage = await openRoom(patientToken, problems);
  await patientPage.getByText('Waiting for the other participant…').waitFor({ timeout: 30_000 });
  const doctorPage = await openRoom(doctorToken, problems);

  expect(await waitForRemoteVideo(patientPage)).toBeGreaterThan(0);
  expect(await waitForRemoteVideo(doctorPage)).toBeGreaterThan(0);
  await patientPage.waitForFunction(() => document.body.dataset.connection === 'connected', undefined, { timeout: 30_000 });
  const remoteSize = await doctorPage.locator('#remote').evaluate((video: HTMLVideoElement) => video.videoWidth);
  expect(remoteSize).toBeGreaterThan(0);

  // The patient reloads (a dropped connection) and rejoins; video flows again.
  await patientPage.reload();
  expect(await waitForRemoteVideo(patientPage)).toBeGreaterThan(0);
  expect(await waitForRemoteVideo(doctorPage)).toBeGreaterThan(0);

  await invoke(doctor, `Encounter/${encounter.id}/$end`).expect(200);
  await patientPage.getByText('The consultation has ended.').waitFor({ timeout: 30_000 });
  await doctorPage.getByText('The consultation has ended.').waitFor({ timeout: 30_000 });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(await patientPage.evaluate(() => document.body.dataset.connection)).toBe('closed'); // no attempt to join again
  expect(problems).toEqual([]);
}, 240_000); // two browsers with video on a shared, loaded machine; every wait above polls

test('a page whose connection drops joins again by itself, and video flows again', async () => {
  const { patientToken, doctorToken } = await admittedRoom();
  const network = await startTcpProxy(server.address);
  const problems: string[] = [];
  try {
    const patientPage = await openRoom(patientToken, problems, network.origin);
    await patientPage.getByText('Waiting for the other participant…').waitFor({ timeout: 30_000 });
    const doctorPage = await openRoom(doctorToken, problems);
    expect(await waitForRemoteVideo(patientPage)).toBeGreaterThan(0);

    network.dropConnections();
    await patientPage.getByText(/The connection dropped\. Reconnecting in 1 s…/).waitFor({ timeout: 30_000 });
    await doctorPage.getByText('The other participant left; waiting…').waitFor({ timeout: 30_000 });
    // Joined again through the same (restored) network: a new peer connection decodes video again.
    await patientPage.waitForFunction(() => document.body.dataset.connection === 'connected', undefined, { timeout: 60_000 });
    expect(await waitForRemoteVideo(patientPage)).toBeGreaterThan(0);
    expect(await waitForRemoteVideo(doctorPage)).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  } finally {
    await network.close();
  }
}, 240_000);
