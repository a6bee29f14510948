import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { expectAccessible } from './support/accessibility';
import { DESKTOP, FAKE_MEDIA, launchChromium, OUTPUT_DIR, PHONE, screenshot, withPage } from './support/browser';
import { FhirApi, parameters, verifiedDoctor } from './fhir-api';
import { signInToClinician } from './clinician-sign-in';
import { startMedBuddy, type Account, type MedBuddyServer } from './support/medbuddy-server';

interface Bundle<T> {
  readonly entry?: { readonly resource: T }[];
}
interface Slot {
  readonly id: string;
  readonly start: string;
}

/**
 * A doctor's day through the clinician portal against the real server: availability rules to
 * published slots; then a consultation whose patient side is driven through the API (book,
 * check in): the live waiting room, admit, the video call in the workspace (the patient in a
 * second browser), a SOAP note with a forced auto-save conflict resolved in the page, signing,
 * a prescription with its signed PDF, a follow-up, the end (which closes the call).
 */
describe('clinician portal: a doctor runs a day of consultations', () => {
  let server: MedBuddyServer;
  let browser: Browser;
  let doctor: Account;
  let patient: Account;
  let doctorApi: FhirApi;
  let patientApi: FhirApi;
  let noteId: string | undefined;

  before(
    async () => {
      server = await startMedBuddy(path.join(OUTPUT_DIR, 'server-doctor-day.log'));
      browser = await launchChromium(FAKE_MEDIA);
      ({ account: doctor, api: doctorApi } = await verifiedDoctor(server, { givenName: 'Gregory', familyName: 'House' }));
      patient = await server.registerVerified({ role: 'patient', givenName: 'Rebecca', familyName: 'Adler' });
      patientApi = await FhirApi.signIn(server, patient);
    },
    { timeout: 240_000 },
  );

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function freeSlots(): Promise<Slot[]> {
    const soon = new Date(Date.now() + 60_000).toISOString();
    const bundle = await patientApi.request<Bundle<Slot>>(
      'GET',
      `Slot?schedule.actor=${doctorApi.profile}&status=free&start=ge${encodeURIComponent(soon)}&_sort=start&_count=5`,
    );
    return (bundle.entry ?? []).map((entry) => entry.resource);
  }

  it('availability rules become free slots, previewed on the page', { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-availability', async (page) => {
      await signInToClinician(page, server, doctor);
      await page.getByRole('link', { name: 'Profile and availability' }).click();
      await page.waitForURL(`${server.url}/clinician/availability`);
      await page.getByText('Save your profile and hours to publish slots.').waitFor();

      await page.getByRole('combobox', { name: 'Specialty' }).click();
      await page.getByRole('option', { name: 'General practice' }).click();
      await page.getByRole('spinbutton', { name: 'Consultation fee (EUR)' }).fill('45');
      await page.getByRole('textbox', { name: 'Biography' }).fill('Diagnostics, mostly.');
      // A fixed-offset zone where it is about noon now: the hour from now never crosses midnight.
      const now = new Date();
      const offsetHours = ((12 - now.getUTCHours() + 36) % 24) - 12;
      const zone = offsetHours === 0 ? 'UTC' : `Etc/GMT${offsetHours > 0 ? '-' : '+'}${Math.abs(offsetHours)}`;
      const local = (date: Date) => new Date(date.getTime() + offsetHours * 3_600_000);
      await page.getByRole('textbox', { name: 'Time zone' }).fill(zone);
      await page.getByRole('spinbutton', { name: 'Slot length (minutes)' }).fill('10');
      const hours = page.getByRole('group', { name: 'Opening hours 1' });
      // Open today only, from now for an hour, without a break: a slot starts within the
      // check-in window, and few slots are generated over the horizon.
      const today = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][local(now).getUTCDay()];
      for (const day of ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']) {
        await hours.getByRole('checkbox', { name: day }).setChecked(day === today);
      }
      const time = (date: Date) => local(date).toISOString().slice(11, 16);
      await hours.getByLabel('From', { exact: true }).fill(time(new Date(Math.floor(now.getTime() / 600_000) * 600_000)));
      await hours.getByLabel('To', { exact: true }).fill(time(new Date(now.getTime() + 70 * 60_000)));
      await hours.getByLabel('Break from').fill('');
      await hours.getByLabel('Break to').fill('');
      await page.getByRole('button', { name: 'Add an absence' }).click();
      const absence = page.getByRole('group', { name: 'Absence 1' });
      const inTwoWeeks = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
      await absence.getByLabel('First day').fill(inTwoWeeks);
      await absence.getByLabel('Last day').fill(inTwoWeeks);
      await absence.getByLabel('Description').fill('Conference');
      await page.getByRole('button', { name: 'Save and generate slots' }).click();

      await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      const preview = page.locator('.preview .slots li');
      await preview.first().waitFor();
      assert.ok((await preview.count()) >= 5, 'the preview lists the generated slots');
      const slots = await freeSlots();
      assert.ok(slots.length > 0, 'patients find the new slots');
      assert.ok(Date.parse(slots[0].start) - Date.now() < 11 * 60_000, 'slots follow the 10-minute rule');

      await page.reload();
      await preview.first().waitFor();
      assert.equal(await page.getByRole('spinbutton', { name: 'Slot length (minutes)' }).inputValue(), '10', 'the rules are stored');
      await page.getByRole('button', { name: 'Regenerate slots now' }).click();
      await page.getByRole('status').filter({ hasText: 'Slots generated:' }).waitFor();
      await screenshot(page, 'clinician-availability-desktop');
      await expectAccessible(page, 'the availability editor');
    }),
  );

  it('a consultation: waiting room, admit, SOAP note with a conflict, sign, prescription, follow-up', { timeout: 300_000 }, () =>
    withPage(
      browser,
      DESKTOP,
      'clinician-consultation',
      async (page) => {
        const [slot] = await freeSlots();
        assert.ok(slot, 'a free slot from the availability test');
        const appointment = await patientApi.request<{ id: string }>(
          'POST',
          'Appointment/$book',
          parameters({ name: 'slot', valueString: `Slot/${slot.id}` }),
        );

        await signInToClinician(page, server, doctor);
        await page.getByRole('link', { name: 'Today' }).click();
        await page.waitForURL(`${server.url}/clinician/today`);
        await page.getByRole('cell', { name: 'Rebecca Adler' }).waitFor();
        await page.getByText('Nobody is waiting.').waitFor();
        await expectAccessible(page, "today's appointments");

        // The patient checks in while the page is open: they appear without a reload.
        await patientApi.request('POST', `Appointment/${appointment.id}/$check-in`, parameters());
        const waiting = page.getByRole('region', { name: 'Waiting room' }).or(page.locator('section', { hasText: 'Waiting room' }));
        await page.getByRole('button', { name: 'Admit Rebecca Adler' }).waitFor({ timeout: 20_000 });
        await screenshot(page, 'clinician-today-waiting-room-desktop');
        assert.ok(await waiting.count());
        // The page watches through the doctor's own Subscriptions on the websocket channel.
        const subscriptions = await doctorApi.request<Bundle<{ criteria: string }>>('GET', 'Subscription?type=websocket');
        assert.deepEqual((subscriptions.entry ?? []).map((entry) => entry.resource?.criteria).sort(), [
          `Appointment?practitioner=${doctorApi.profile}`,
          `Encounter?practitioner=${doctorApi.profile}`,
        ]);
        await page.getByRole('button', { name: 'Admit Rebecca Adler' }).click();
        await page.waitForURL(/\/clinician\/consultations\/[^/]+$/);
        const encounterId = page.url().split('/').pop() as string;
        await page.getByRole('heading', { name: 'Consultation with Rebecca Adler' }).waitFor();

        // The video call runs in the workspace itself; the patient joins from their own browser
        // (the server's room page with the patient's $video-token); both receive the other's
        // video frames (peer to peer, built-in signalling). The rest of the visit happens beside it.
        await page.getByRole('button', { name: 'Start the video call' }).click();
        const call = page.getByRole('region', { name: 'Video call' });
        const callStatus = call.getByRole('status');
        await callStatus.filter({ hasText: 'Waiting for the patient to join the call…' }).waitFor({ timeout: 20_000 });
        const token = await patientApi.request<{ parameter: { name: string; valueString?: string }[] }>(
          'POST',
          `Encounter/${encounterId}/$video-token`,
          parameters(),
        );
        const patientContext = await browser.newContext(DESKTOP.options);
        try {
          const patientTab = await patientContext.newPage();
          const patientToken = token.parameter.find((p) => p.name === 'token')?.valueString as string;
          await patientTab.goto(`${server.url}/video/room#token=${encodeURIComponent(patientToken)}`);
          await callStatus.filter({ hasText: 'You are connected with the patient.' }).waitFor({ timeout: 30_000 });
          // The patient's video plays in the doctor's workspace: frames are decoded and shown.
          await page.waitForFunction(
            () => {
              const video = document.querySelector<HTMLVideoElement>('video[aria-label="Video of Rebecca Adler"]');
              return !!video && video.getVideoPlaybackQuality().totalVideoFrames > 5 && video.videoWidth > 0;
            },
            undefined,
            { timeout: 30_000, polling: 500 },
          );
          await patientTab.waitForFunction(
            async () =>
              (await (window as unknown as { medbuddyVideo: { framesDecoded(): Promise<number> } }).medbuddyVideo.framesDecoded()) > 5,
            undefined,
            { timeout: 30_000, polling: 500 },
          );
          // The controls work from the keyboard.
          await call.getByRole('button', { name: 'Mute' }).press('Enter');
          await call.getByRole('button', { name: 'Unmute', pressed: true }).waitFor();
          assert.equal(
            await page.evaluate(() =>
              (document.querySelector<HTMLVideoElement>('video[aria-label="Your camera"]')?.srcObject as MediaStream)
                .getAudioTracks()
                .every((track) => !track.enabled),
            ),
            true,
            'muting switches the microphone off',
          );
          await call.getByRole('button', { name: 'Unmute' }).press('Enter');
          await call.getByRole('button', { name: 'Mute', pressed: false }).waitFor();
          await screenshot(page, 'clinician-consultation-video-call-desktop');
          await expectAccessible(page, 'the consultation workspace with the video call');
          // On a phone the call sits above the workspace.
          await page.setViewportSize(PHONE.options.viewport as { width: number; height: number });
          // (the shell turns its side menu into a drawer: wait until the content has moved over)
          await page.waitForFunction(() => (document.querySelector('cp-video-panel')?.getBoundingClientRect().left ?? 99) < 32);
          const [callBox, summaryBox] = await Promise.all([
            call.boundingBox(),
            page.getByRole('heading', { name: 'Patient summary' }).boundingBox(),
          ]);
          assert.ok(callBox && summaryBox && callBox.y + callBox.height <= summaryBox.y, 'the call is above the workspace on a phone');
          await screenshot(page, 'clinician-consultation-video-call-phone');
          await page.setViewportSize(DESKTOP.options.viewport as { width: number; height: number });

          const state = page.locator('.save-state');
          await page.getByRole('textbox', { name: 'Subjective' }).fill('Headache for three days.');
          await state.filter({ hasText: /^Saved$/ }).waitFor();

          // Someone else (the same doctor in another tab, here through the API) saves the note meanwhile.
          const notes = await doctorApi.request<Bundle<Record<string, unknown> & { id: string }>>(
            'GET',
            `Composition?encounter=Encounter/${encounterId}`,
          );
          const stored = notes.entry?.[0]?.resource;
          assert.ok(stored, 'the auto-save created the note');
          noteId = stored.id;
          await doctorApi.request('PUT', `Composition/${stored.id}`, { ...stored, title: 'Consultation note (other tab)' });

          await page.getByRole('textbox', { name: 'Objective' }).fill('No fever. Neck supple.');
          await state.filter({ hasText: 'Conflict' }).waitFor();
          await page.getByRole('alert').filter({ hasText: 'Someone else saved this note' }).waitFor();
          await screenshot(page, 'clinician-consultation-conflict-desktop');
          await page.getByRole('button', { name: 'Overwrite with mine' }).click();
          await state.filter({ hasText: /^Saved$/ }).waitFor();
          await page.getByRole('textbox', { name: 'Assessment' }).fill('Tension headache.');
          await page.getByRole('textbox', { name: 'Plan' }).fill('Ibuprofen, rest, review in two weeks.');
          await page.getByRole('button', { name: 'Sign the note' }).click();
          await state.filter({ hasText: 'Signed' }).waitFor();
          const signed = await doctorApi.request<{ status: string; section: { text: { div: string } }[] }>(
            'GET',
            `Composition/${stored.id}`,
          );
          assert.equal(signed.status, 'final');
          assert.match(signed.section[1].text.div, /No fever/, 'the overwrite kept the local text');
          assert.match(signed.section[3].text.div, /review in two weeks/);

          await page.getByRole('button', { name: 'Amend the note' }).click();
          await page.getByRole('textbox', { name: 'Plan' }).fill('Ibuprofen, rest, physiotherapy, review in two weeks.');
          await page.getByRole('textbox', { name: 'Reason for the amendment' }).fill('Physiotherapy agreed after the call');
          await page.getByRole('button', { name: 'Save the amendment' }).click();
          await page.getByRole('status').filter({ hasText: 'The amendment is saved.' }).waitFor();
          const amended = await doctorApi.request<{ status: string; section: { text: { div: string } }[] }>(
            'GET',
            `Composition/${stored.id}`,
          );
          assert.equal(amended.status, 'amended');
          assert.match(amended.section[3].text.div, /physiotherapy/);

          const medication = page.getByRole('combobox', { name: 'Medication' });
          await medication.pressSequentially('amlo');
          await page
            .getByRole('option', { name: /Amlodipine/ })
            .first()
            .click();
          await page.getByRole('textbox', { name: 'Dosage' }).fill('1 tablet daily');
          await page.getByRole('spinbutton', { name: 'Refills' }).fill('2');
          await page.getByRole('button', { name: 'Add to the prescription' }).click();
          await page.getByRole('button', { name: 'Issue the prescription' }).click();
          const pdfButton = page.getByRole('button', { name: /Signed PDF for .*Amlodipine/ });
          await pdfButton.waitFor();
          const download = page.waitForEvent('download');
          await pdfButton.click();
          const file = await (await download).path();
          const { readFile } = await import('node:fs/promises');
          assert.equal((await readFile(file)).subarray(0, 5).toString(), '%PDF-', 'the signed prescription is a PDF');

          const inAMonth = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
          const inSixWeeks = new Date(Date.now() + 42 * 86_400_000).toISOString().slice(0, 10);
          await page.getByLabel('Not before').fill(inAMonth);
          await page.getByLabel('Not after').fill(inSixWeeks);
          await page.getByRole('textbox', { name: 'Reason' }).fill('Review the headache');
          await page.getByRole('button', { name: 'Recommend a follow-up' }).click();
          await page.getByRole('status').filter({ hasText: 'Follow-up recommended.' }).waitFor();
          const followUps = await patientApi.request<Bundle<unknown>>('GET', 'ServiceRequest');
          assert.equal(followUps.entry?.length, 1, 'the patient sees the follow-up');

          // A report for the patient, uploaded from the workspace: the patient's reports search finds it.
          const report = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(`% blood panel ${Date.now()} ${Math.random()}\n%%EOF\n`)]);
          const [chooser] = await Promise.all([
            page.waitForEvent('filechooser'),
            page.getByRole('button', { name: 'Choose a file' }).click(),
          ]);
          await chooser.setFiles({ name: 'blood-panel.pdf', mimeType: 'application/pdf', buffer: report });
          await page.getByLabel('Report title').fill('Blood panel');
          await page.getByLabel('Kind of report').selectOption('Laboratory report');
          await page.getByRole('button', { name: 'Upload for the patient' }).click();
          await page.getByRole('status').filter({ hasText: 'blood-panel.pdf is uploaded for the patient.' }).waitFor();
          await page.getByRole('button', { name: 'Download Blood panel' }).waitFor();
          interface Report {
            readonly id: string;
            readonly author?: { reference: string }[];
            readonly category?: { text?: string }[];
            readonly context?: { encounter?: { reference: string }[] };
            readonly content: { attachment: { title?: string } }[];
          }
          const reports = await patientApi.request<Bundle<Report>>(
            'GET',
            `DocumentReference?subject=${patientApi.profile}&status=current&_sort=-date&_count=200`,
          );
          const found = (reports.entry ?? []).map((entry) => entry.resource).find((r) => r.content[0]?.attachment.title === 'Blood panel');
          assert.ok(found, "the patient's reports search finds the doctor's report");
          assert.deepEqual(
            found.author?.map((a) => a.reference),
            [doctorApi.profile],
          );
          assert.deepEqual(
            found.context?.encounter?.map((e) => e.reference),
            [`Encounter/${encounterId}`],
          );
          assert.equal(found.category?.[0]?.text, 'Laboratory report');
          const link = await patientApi.request<{ parameter: { name: string; valueUrl?: string }[] }>(
            'GET',
            `DocumentReference/${found.id}/$download-url`,
          );
          const signedUrl = link.parameter.find((p) => p.name === 'url')?.valueUrl as string;
          assert.deepEqual(Buffer.from(await (await fetch(signedUrl)).arrayBuffer()), report, 'the patient downloads the very bytes');

          await screenshot(page, 'clinician-consultation-desktop');
          await expectAccessible(page, 'the consultation workspace');

          // Ending the visit ($end) closes the room for the patient too, and the panel goes.
          await page.getByRole('button', { name: 'End the visit' }).click();
          await page.getByRole('status').filter({ hasText: 'The visit has ended.' }).waitFor();
          await call.waitFor({ state: 'detached' });
          await patientTab.getByRole('status').filter({ hasText: 'The consultation has ended.' }).waitFor({ timeout: 10_000 });
        } finally {
          await patientContext.close();
        }
        const ended = await patientApi.request<{ status: string }>('GET', `Appointment/${appointment.id}`);
        assert.equal(ended.status, 'fulfilled');

        // The patient is now one of the doctor's patients, with the consultation in their chart.
        await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'My patients' }).click();
        await page.getByRole('link', { name: /Rebecca Adler/ }).click();
        await page.getByRole('heading', { name: 'Rebecca Adler' }).waitFor();
        const timeline = page.locator('section.timeline');
        await timeline.getByRole('listitem').filter({ hasText: '· Prescription ·' }).first().waitFor();
        await timeline
          .getByRole('listitem')
          .filter({ hasText: /· Note · .*\(amended\)/ })
          .waitFor();
        await screenshot(page, 'clinician-patient-chart-desktop');
        await expectAccessible(page, 'the patient chart');
      },
      // The forced conflict is a 412 the page handles; the browser logs the failed request.
      [/status of 412/],
    ),
  );

  it("the administrator finds the consultation's events in the audit trail and exports them", { timeout: 180_000 }, () =>
    withPage(browser, DESKTOP, 'clinician-audit-consultation', async (page) => {
      assert.ok(noteId, 'the consultation test wrote a note');
      await signInToClinician(page, server, server.admin);
      await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name: 'Audit trail' }).click();
      await page.waitForURL(`${server.url}/clinician/admin/audit`);
      await page.getByRole('textbox', { name: 'Patient' }).fill(patientApi.profile as string);
      await page.getByRole('button', { name: 'Search' }).click();
      const rows = page.locator('table.audit tbody tr');
      await rows
        .filter({ hasText: `Composition/${noteId}` })
        .first()
        .waitFor();

      await rows
        .filter({ hasText: `Composition/${noteId}` })
        .first()
        .getByRole('button', { name: /^Details/ })
        .click();
      const detail = page.getByRole('region', { name: /^Audit event / });
      await detail.waitFor();
      await detail.getByText(`Composition/${noteId}`).first().waitFor();
      await screenshot(page, 'clinician-audit-detail-desktop');
      await expectAccessible(page, 'the audit trail with an event detail');

      const { readFile } = await import('node:fs/promises');
      const ndjson = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export NDJSON' }).click();
      const lines = (await readFile(await (await ndjson).path(), 'utf8')).trim().split('\n');
      const events = lines.map((line) => JSON.parse(line) as { resourceType: string; entity?: { what?: { reference?: string } }[] });
      assert.ok(events.every((event) => event.resourceType === 'AuditEvent'));
      assert.ok(
        events.some((event) => event.entity?.some((entity) => entity.what?.reference === `Composition/${noteId}`)),
        'the note is audited',
      );
      await page
        .getByRole('status')
        .filter({ hasText: `Exported ${events.length} audit events as NDJSON` })
        .waitFor();

      const csv = page.waitForEvent('download');
      await page.getByRole('button', { name: 'Export CSV' }).click();
      const table = (await readFile(await (await csv).path(), 'utf8')).trim().split('\r\n');
      assert.equal(table[0], 'id,recorded,type,subtype,action,outcome,agents,entities,source');
      // The searches of the export are audited too, so the set may have grown meanwhile.
      assert.ok(table.length >= events.length + 1, 'the CSV has the events of the NDJSON export');
      assert.ok(table.some((row) => row.includes(`Composition/${noteId}`)));
    }),
  );
});
