import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, OUTPUT_DIR, PHONE, screenshot, watchForErrors, withPage } from './support/browser';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';
import { AdminFhir, daysFromNow } from './directory-seed';
import { menu, signIn } from './patient-session';

/** Waits up to 20 s for `condition`, checking twice a second. */
async function eventually(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const until = Date.now() + 20_000;
  while (!(await condition())) {
    if (Date.now() > until) {
      assert.fail(`timed out: ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Debian's Chromium with a fake camera and microphone that need no permission prompt. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MEDIA_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
];

/**
 * A consultation from the patient's side, the doctor driven through the API and the server's
 * own room page in a second browser context: the patient joins the waiting room when it opens
 * (`$check-in`) and waits to be admitted; an appointment the doctor cancels meanwhile moves to
 * the past, and "the doctor is ready" appears, both without a reload; the video call connects both ways (built-in WebRTC); mute, camera,
 * reconnect, leave and join again work; the doctor ends the consultation and the patient sees it.
 */
describe('patient portal: waiting room and video consultation', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let patient: Account;
  let doctor: AdminFhir;
  let appointmentId: string;
  /** A second appointment, two days later, that the doctor cancels while the patient watches. */
  let laterAppointmentId: string;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'consultation-server.log'));
      browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: MEDIA_ARGS });
      const admin = await AdminFhir.signIn(server);
      doctor = await AdminFhir.signIn(server, await server.registerVerified({ role: 'doctor', givenName: 'Amara', familyName: 'Okafor' }));
      const practitionerId = (doctor.profile as string).replace('Practitioner/', '');
      await admin.operation(`Practitioner/${practitionerId}/$verify`, [
        { name: 'status', valueCode: 'validated' },
        { name: 'reason', valueString: 'Licence checked' },
      ]);
      // A time starting in three minutes: bookable now, and its waiting room is already open.
      const start = new Date(Date.now() + 3 * 60_000);
      start.setSeconds(0, 0);
      const seeded = await admin.seedDoctor({
        practitionerId,
        given: 'Amara',
        family: 'Okafor',
        specialty: { code: 'general-practice', display: 'General practice' },
        languages: ['en'],
        fee: 30,
        years: 8,
        timeZone: 'Europe/London',
        biography: 'General practitioner.',
        qualification: 'Specialist in general practice',
        slots: [start, daysFromNow(2, 10)],
      });
      patient = await server.registerVerified({ role: 'patient', givenName: 'Maria', familyName: 'Garcia' });
      const patientApi = await AdminFhir.signIn(server, patient);
      const booked = await patientApi.operation('Appointment/$book', [{ name: 'slot', valueString: `Slot/${seeded.slotIds[0]}` }]);
      appointmentId = booked.id;
      const later = await patientApi.operation('Appointment/$book', [{ name: 'slot', valueString: `Slot/${seeded.slotIds[1]}` }]);
      laterAppointmentId = later.id;
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** The doctor's side of the call: the server's room page with the doctor's room token, in its own context. */
  async function doctorJoinsRoom(encounterId: string): Promise<{ room: Page; problems: string[] }> {
    const credentials = await doctor.operation<{ parameter: { name: string; valueString?: string }[] }>(
      `Encounter/${encounterId}/$video-token`,
    );
    const token = credentials.parameter.find((p) => p.name === 'token')?.valueString as string;
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems = watchForErrors(page);
    await page.goto(`${server.url}/video/room#token=${encodeURIComponent(token)}`);
    return { room: page, problems };
  }

  /** Video frames the doctor's room page decoded from the patient. */
  function framesAtDoctor(page: Page): Promise<number> {
    return page.evaluate(() =>
      (window as unknown as { medbuddyVideo: { framesDecoded(): Promise<number> } }).medbuddyVideo.framesDecoded(),
    );
  }

  /** Waits until the patient's page shows the doctor's video (frames of a real size). */
  async function patientSeesDoctor(page: Page): Promise<void> {
    await page.getByText('You are connected with the doctor.').waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => (document.querySelector<HTMLVideoElement>('video.remote')?.videoWidth ?? 0) > 0, undefined, {
      timeout: 60_000,
    });
  }

  async function doctorSeesPatient(page: Page, moreThan = 0): Promise<void> {
    const deadline = Date.now() + 60_000;
    while ((await framesAtDoctor(page)) <= moreThan) {
      assert.ok(Date.now() < deadline, 'the doctor never received the patient’s video');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** The state of the patient's own microphone and camera tracks. */
  function localTracks(page: Page): Promise<{ audio: boolean; video: boolean }> {
    return page.evaluate(() => {
      const stream = document.querySelector<HTMLVideoElement>('video.local')?.srcObject as MediaStream;
      return { audio: stream.getAudioTracks()[0].enabled, video: stream.getVideoTracks()[0].enabled };
    });
  }

  /**
   * The portal uses its Subscription websocket transport, not the polling fallback: the patient
   * has active websocket Subscriptions naming only themselves, one per watched type (the server
   * activates a requested one at its next pass).
   */
  async function patientHasActiveWebsocketSubscriptions(): Promise<{ appointments: string; encounters: string }> {
    const patientApi = await AdminFhir.signIn(server, patient);
    const expected = [`Appointment?patient=${patientApi.profile}`, `Encounter?patient=${patientApi.profile}`];
    let active: { id: string; criteria: string }[] = [];
    await eventually(async () => {
      const found = await patientApi.request<{
        entry?: { resource: { id: string; criteria: string; status: string; channel: { type: string } } }[];
      }>('GET', 'Subscription?type=websocket');
      active = (found.entry ?? []).map((e) => e.resource).filter((s) => s.channel.type === 'websocket' && s.status === 'active');
      return active.length >= expected.length;
    }, 'the patient has active websocket Subscriptions');
    assert.deepEqual(active.map((s) => s.criteria).sort(), expected);
    const idOf = (criteria: string) => active.find((s) => s.criteria === criteria)?.id as string;
    return { appointments: idOf(expected[0]), encounters: idOf(expected[1]) };
  }

  it('waits to be admitted, is told the doctor is ready, and talks with the doctor on video', { timeout: 240_000 }, () =>
    withPage(browser, DESKTOP, 'consultation', async (page) => {
      // Live updates come over the Subscription websocket: the page's bound and ping messages.
      const bound: string[] = [];
      const pings: string[] = [];
      page.on('websocket', (socket) => {
        if (new URL(socket.url()).pathname === '/subscriptions/ws') {
          socket.on('framereceived', ({ payload }) => {
            const text = String(payload);
            (text.startsWith('ping ') ? pings : text.startsWith('bound ') ? bound : []).push(text);
          });
        }
      });
      await signIn(page, server.url, patient);
      await menu(page, 'Appointments');
      await page.getByRole('link', { name: /^Join the waiting room for / }).click();
      await page.getByRole('heading', { name: 'You are in the waiting room' }).waitFor();
      assert.equal(new URL(page.url()).pathname, `/patient/appointments/${appointmentId}/visit`);
      await page.getByText('Waiting for the doctor to admit you.').waitFor();
      await screenshot(page, 'consultation-waiting-room');
      await expectAccessible(page, 'the waiting room');

      // The doctor cancels the later appointment while the patient looks at the list: it moves
      // to the past without a reload. Then the doctor sees the patient waiting and admits them.
      const boundBefore = bound.length;
      await menu(page, 'Appointments');
      await page.getByRole('tab', { name: 'Upcoming (2)' }).waitFor();
      await eventually(() => bound.length >= boundBefore + 2, 'the appointments page binds its two Subscriptions');
      const subscriptions = await patientHasActiveWebsocketSubscriptions();
      const pingsOf = (id: string) => pings.filter((ping) => ping === `ping ${id}`).length;
      await doctor.operation(`Appointment/${laterAppointmentId}/$cancel`, [{ name: 'reason', valueString: 'The doctor is away that day' }]);
      await page.getByRole('tab', { name: 'Past and cancelled (1)' }).waitFor({ timeout: 30_000 });
      await page.getByRole('tab', { name: 'Upcoming (1)' }).waitFor();
      await eventually(() => pingsOf(subscriptions.appointments) > 0, 'the cancellation arrived as a websocket ping');
      const waiting = await doctor.request<{ entry?: { resource: { id: string } }[] }>(
        'GET',
        `Encounter?participant=${doctor.profile}&status=arrived`,
      );
      const encounterId = waiting.entry?.[0]?.resource.id as string;
      assert.ok(encounterId, 'the doctor sees the patient waiting');
      const encounterPings = pingsOf(subscriptions.encounters);
      await doctor.operation(`Encounter/${encounterId}/$admit`);
      await page.getByText('Amara Okafor is ready for you.').waitFor({ timeout: 30_000 });
      await eventually(() => pingsOf(subscriptions.encounters) > encounterPings, 'the admission arrived as a websocket ping');
      await screenshot(page, 'consultation-doctor-ready');
      await page.getByRole('link', { name: 'Join the consultation', exact: true }).click();

      // Admitted: the call starts by itself and waits for the doctor to open the room.
      await page.getByText('Waiting for the doctor to join the call…').waitFor({ timeout: 30_000 });
      const { room, problems: doctorProblems } = await doctorJoinsRoom(encounterId);
      await patientSeesDoctor(page);
      await doctorSeesPatient(room);
      await screenshot(page, 'consultation-video-call');
      await expectAccessible(page, 'the video call');
      // The same call on a phone screen: the controls stay reachable under the video.
      await page.setViewportSize(PHONE.options.viewport as { width: number; height: number });
      await page.getByRole('button', { name: 'Leave the call' }).scrollIntoViewIfNeeded();
      assert.ok(await page.getByRole('button', { name: 'Leave the call' }).isVisible());
      await screenshot(page, 'phone-consultation-video-call');
      await expectAccessible(page, 'the video call on a phone');
      await page.setViewportSize(DESKTOP.options.viewport as { width: number; height: number });

      await page.getByRole('button', { name: 'Mute' }).click();
      await page.getByRole('button', { name: 'Turn camera off' }).click();
      assert.deepEqual(await localTracks(page), { audio: false, video: false });
      assert.equal(await page.getByRole('button', { name: 'Unmute' }).getAttribute('aria-pressed'), 'true');
      await screenshot(page, 'consultation-muted-camera-off');
      await page.getByRole('button', { name: 'Unmute' }).click();
      await page.getByRole('button', { name: 'Turn camera on' }).click();
      assert.deepEqual(await localTracks(page), { audio: true, video: true });

      // Reconnect: a new token and connection; video flows both ways again.
      await page.getByRole('button', { name: 'Reconnect' }).click();
      await patientSeesDoctor(page);
      await doctorSeesPatient(room, 0);

      // Leave, then join again.
      await page.getByRole('button', { name: 'Leave the call' }).click();
      await page.getByText('You left the call.').waitFor();
      await room.getByText('The other participant left; waiting…').waitFor({ timeout: 30_000 });
      await screenshot(page, 'consultation-left');
      await page.getByRole('button', { name: 'Join the call again' }).click();
      await patientSeesDoctor(page);
      await doctorSeesPatient(room, await framesAtDoctor(room));

      // The doctor ends the consultation: the visit page says so without a reload, told by a
      // ping of its own websocket binding of the patient's Encounter Subscription.
      const visitPings = pingsOf(subscriptions.encounters);
      await doctor.operation(`Encounter/${encounterId}/$end`);
      await page.getByRole('heading', { name: 'The consultation has ended' }).waitFor({ timeout: 30_000 });
      await eventually(() => pingsOf(subscriptions.encounters) > visitPings, 'the end arrived at the visit page as a websocket ping');
      await screenshot(page, 'consultation-ended');
      await expectAccessible(page, 'the end of the consultation');
      await room.context().close();
      assert.deepEqual(
        doctorProblems.filter((problem) => !/favicon/.test(problem)),
        [],
      );
    }),
  );
});
