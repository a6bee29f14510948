import type {
  Appointment,
  Bundle,
  Communication,
  DiagnosticReport,
  MedicationRequest,
  Patient,
  Practitioner,
  Resource,
  ServiceRequest,
} from '@medplum/fhirtypes';
import type { ParsedMail } from 'mailparser';
import { startSmtpListener, type SmtpListener } from '../setup/smtp-listener';
import { startTestServer, type TestServer } from '../setup/test-server';

/**
 * Appointment e-mails end to end: Appointments written through the FHIR API, a moving injected
 * clock, notification passes run by hand, and a real SMTP listener receiving the messages.
 */
const FHIR_JSON = 'application/fhir+json';
const TZ = 'http://hl7.org/fhir/StructureDefinition/tz-code';
const HOUR = 3_600_000;

let now = new Date('2026-12-14T08:00:00Z');
const clock = (): Date => now;
const at = (iso: string | Date, deltaMs = 0): void => {
  now = new Date(new Date(iso).getTime() + deltaMs);
};

let smtp: SmtpListener;
let server: TestServer;
let seq = 0;

beforeAll(async () => {
  smtp = await startSmtpListener();
  server = await startTestServer({ SMTP_URL: smtp.url, REMINDER_OFFSETS: '24h,1h,10m' }, undefined, { clock });
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function create<T extends Resource>(resource: T): Promise<T & { id: string }> {
  const res = await server.request.post(`/fhir/${resource.resourceType}`).set('Content-Type', FHIR_JSON).send(JSON.stringify(resource));
  expect(res.status).toBe(201);
  return JSON.parse(res.text);
}

async function update<T extends Resource & { id?: string }>(resource: T): Promise<void> {
  const res = await server.request
    .put(`/fhir/${resource.resourceType}/${resource.id}`)
    .set('Content-Type', FHIR_JSON)
    .send(JSON.stringify(resource));
  expect(res.status).toBe(200);
}

interface People {
  patient: Patient & { id: string };
  doctor: Practitioner & { id: string };
  patientEmail: string;
  doctorEmail: string;
}

async function people(options: { patientZone?: string; language?: string; doctorZone?: string } = {}): Promise<People> {
  const n = ++seq;
  const patientEmail = `patient${n}@example.org`;
  const doctorEmail = `doctor${n}@example.org`;
  const patient = await create<Patient>({
    resourceType: 'Patient',
    name: [{ family: 'Martin', given: ['Alice'] }],
    telecom: [{ system: 'email', value: patientEmail }],
    ...(options.language
      ? { communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: options.language }] }, preferred: true }] }
      : {}),
    ...(options.patientZone ? { extension: [{ url: TZ, valueCode: options.patientZone }] } : {}),
  });
  const doctor = await create<Practitioner>({
    resourceType: 'Practitioner',
    active: true,
    name: [{ family: 'House' }],
    telecom: [{ system: 'email', value: doctorEmail }],
    ...(options.doctorZone ? { extension: [{ url: TZ, valueCode: options.doctorZone }] } : {}),
  });
  return { patient, doctor, patientEmail, doctorEmail };
}

function appointment(p: People, start: string, status: Appointment['status'] = 'booked'): Appointment {
  return {
    resourceType: 'Appointment',
    status,
    start,
    end: new Date(new Date(start).getTime() + 30 * 60_000).toISOString(),
    participant: [
      { actor: { reference: `Patient/${p.patient.id}`, display: 'Alice Martin' }, status: 'accepted' },
      { actor: { reference: `Practitioner/${p.doctor.id}`, display: 'Dr House' }, status: 'accepted' },
    ],
  };
}

const mailsTo = (address: string): ParsedMail[] => smtp.messages.filter((m) => JSON.stringify(m.to).includes(address));
const subjectsTo = (address: string): string[] => mailsTo(address).map((m) => m.subject ?? '');

/** R4 has no `about` search parameter on Communication: searched by patient, filtered here. */
async function communicationsAbout(appointmentId: string, patient: string): Promise<Communication[]> {
  const res = await server.request.get(`/fhir/Communication?subject=${patient}&_count=500`);
  expect(res.status).toBe(200);
  return ((JSON.parse(res.text) as Bundle).entry ?? [])
    .map((e) => e.resource as Communication)
    .filter((c) => c.about?.some((a) => a.reference === `Appointment/${appointmentId}`));
}

describe('appointment e-mails', () => {
  test('booking confirms at once, in each recipient’s language and time zone, with a link to their portal', async () => {
    const p = await people({ patientZone: 'Europe/Paris', language: 'fr-FR', doctorZone: 'America/New_York' });
    at('2026-12-14T08:00:00Z');
    const booked = await create(appointment(p, '2026-12-16T09:00:00Z'));
    await server.notifications.tick();

    const toPatient = await smtp.nextMessageTo(p.patientEmail);
    expect(toPatient.subject).toBe('Votre consultation est réservée');
    expect(toPatient.text).toContain('Votre consultation avec Dr House est réservée pour le mercredi 16 décembre 2026');
    expect(toPatient.text).toContain('10:00 (Europe/Paris)');
    expect(toPatient.text).toContain('http://medbuddy.test/patient/');
    expect(toPatient.html).toContain('<a href="http://medbuddy.test/patient/">Ouvrir MedBuddy</a>');

    const toDoctor = await smtp.nextMessageTo(p.doctorEmail);
    expect(toDoctor.subject).toBe('Your consultation is booked');
    expect(toDoctor.text).toContain('Your consultation with Alice Martin is booked for Wednesday, December 16, 2026');
    expect(toDoctor.text).toContain('4:00');
    expect(toDoctor.text).toContain('(America/New_York)');
    expect(toDoctor.text).toContain('http://medbuddy.test/clinician/');

    const records = await communicationsAbout(booked.id, `Patient/${p.patient.id}`);
    expect(records).toHaveLength(2);
    for (const record of records) {
      expect(record).toMatchObject({
        status: 'completed',
        subject: { reference: `Patient/${p.patient.id}` },
        about: [{ reference: `Appointment/${booked.id}` }],
        sent: '2026-12-14T08:00:00.000Z',
        category: [{ coding: [{ code: 'confirmation' }] }],
      });
    }
    expect(records.map((r) => r.recipient?.[0].reference).sort()).toEqual(
      [`Patient/${p.patient.id}`, `Practitioner/${p.doctor.id}`].sort(),
    );

    // Another pass sends nothing new.
    await server.notifications.tick();
    expect(mailsTo(p.patientEmail)).toHaveLength(1);
  });

  test('reminders go out 24 hours, 1 hour and 10 minutes before, each once, at exactly their time', async () => {
    const p = await people({ patientZone: 'Asia/Tokyo' });
    const start = '2026-12-20T09:00:00.000Z';
    at('2026-12-15T08:00:00Z');
    const booked = await create(appointment(p, start));
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Your consultation is booked']);

    const expectations: [number, string][] = [
      [24 * HOUR, 'Reminder: your consultation starts in 24 hours'],
      [HOUR, 'Reminder: your consultation starts in 1 hour'],
      [10 * 60_000, 'Reminder: your consultation starts in 10 minutes'],
    ];
    let expected = ['Your consultation is booked'];
    for (const [before, subject] of expectations) {
      at(start, -before - 1000);
      await server.notifications.tick();
      expect(subjectsTo(p.patientEmail)).toEqual(expected);
      at(start, -before);
      await server.notifications.tick();
      await server.notifications.tick();
      expected = [...expected, subject];
      expect(subjectsTo(p.patientEmail)).toEqual(expected);
    }
    const last = mailsTo(p.patientEmail).at(-1) as ParsedMail;
    expect(last.text).toContain('starts in 10 minutes, on Sunday, December 20, 2026 at 6:00');
    expect(last.text).toContain('(Asia/Tokyo)');
    expect(subjectsTo(p.doctorEmail)).toHaveLength(4);
    at(start, HOUR);
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toHaveLength(4);
    const topics = (await communicationsAbout(booked.id, `Patient/${p.patient.id}`)).map((c) => c.category?.[0].coding?.[0].code);
    expect(topics.filter((t) => t === 'reminder')).toHaveLength(6);
  });

  test('a reschedule announces the new time and re-plans the reminders; a cancellation stops them', async () => {
    const p = await people();
    at('2026-12-14T08:00:00Z');
    const booked = await create(appointment(p, '2026-12-18T09:00:00Z'));
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Your consultation is booked']);

    await update({ ...booked, start: '2026-12-19T15:00:00Z', end: '2026-12-19T15:30:00Z' });
    await server.notifications.tick();
    const moved = mailsTo(p.patientEmail).at(-1) as ParsedMail;
    expect(moved.subject).toBe('Your consultation has been moved');
    expect(moved.text).toContain('moved to Saturday, December 19, 2026 at 3:00');

    // Nothing at the old reminder times.
    at('2026-12-17T09:00:00Z');
    await server.notifications.tick();
    at('2026-12-18T08:00:00Z');
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toHaveLength(2);
    // The new 24-hour reminder.
    at('2026-12-18T15:00:00Z');
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail).at(-1)).toBe('Reminder: your consultation starts in 24 hours');

    const current = JSON.parse((await server.request.get(`/fhir/Appointment/${booked.id}`)).text) as Appointment;
    await update({ ...current, status: 'cancelled' });
    await server.notifications.tick();
    expect(subjectsTo(p.doctorEmail).at(-1)).toBe('Your consultation has been cancelled');
    const cancelled = mailsTo(p.patientEmail).at(-1);
    expect(cancelled?.subject).toBe('Your consultation has been cancelled');
    expect(cancelled?.text).toContain('planned for Saturday, December 19, 2026');
    at('2026-12-19T14:00:00Z');
    await server.notifications.tick();
    at('2026-12-19T14:50:00Z');
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual([
      'Your consultation is booked',
      'Your consultation has been moved',
      'Reminder: your consultation starts in 24 hours',
      'Your consultation has been cancelled',
    ]);
    const jobs = await server.notifications.store.jobsOf(`Appointment/${booked.id}/reminders`);
    expect(jobs.filter((j) => j.status === 'pending')).toEqual([]);
  });

  test('after downtime only the reminders still useful are sent: no 24-hour reminder an hour before', async () => {
    const p = await people();
    const start = '2026-12-22T12:00:00.000Z';
    at('2026-12-20T08:00:00Z');
    await create(appointment(p, start));
    await server.notifications.tick();
    // The servers were down from here until 30 minutes before the start.
    at(start, -30 * 60_000);
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Your consultation is booked', 'Reminder: your consultation starts in 1 hour']);
    // Down again until after the start: the 10-minute reminder is no longer useful.
    at(start, 5 * 60_000);
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toHaveLength(2);
  });

  test('an appointment booked with less than a day to go gets no 24-hour reminder, and proposals are not confirmed', async () => {
    const p = await people();
    at('2026-12-20T08:00:00Z');
    const proposed = await create(appointment(p, '2026-12-20T10:00:00Z', 'proposed'));
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual([]);
    await update({ ...proposed, status: 'booked' });
    await server.notifications.tick();
    at('2026-12-20T09:00:00Z');
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Your consultation is booked', 'Reminder: your consultation starts in 1 hour']);
  });

  test('a recipient without an e-mail address is skipped without blocking the others', async () => {
    const p = await people();
    const silent = await create<Patient>({ resourceType: 'Patient', name: [{ family: 'NoMail' }] });
    at('2026-12-20T08:00:00Z');
    const booked = await create<Appointment>({
      ...appointment(p, '2026-12-21T10:00:00Z'),
      participant: [
        { actor: { reference: `Patient/${silent.id}` }, status: 'accepted' },
        { actor: { reference: `Practitioner/${p.doctor.id}` }, status: 'accepted' },
      ],
    });
    await server.notifications.tick();
    expect(subjectsTo(p.doctorEmail)).toEqual(['Your consultation is booked']);
    const jobs = await server.notifications.store.jobsOf(`Appointment/${booked.id}/notices`);
    expect(jobs.map((j) => j.status).sort()).toEqual(['sent', 'skipped']);
    expect(jobs.find((j) => j.status === 'skipped')?.lastError).toBe(`Patient/${silent.id} has no e-mail address`);
  });

  test('a patient sees the Communications sent to them, and not those of another patient', async () => {
    const p = await people();
    at('2026-12-20T08:00:00Z');
    await create(appointment(p, '2026-12-23T10:00:00Z'));
    await server.notifications.tick();
    const owner = await server.mintToken({
      role: 'patient',
      fhirUser: `Patient/${p.patient.id}`,
      scope: 'user/*.cruds',
      client_id: 'patient-portal',
    });
    const other = await server.actAsPatient();
    const search = `/fhir/Communication?subject=Patient/${p.patient.id}`;
    const mine = JSON.parse((await server.withToken(owner).get(search)).text) as Bundle;
    expect(mine.entry?.map((e) => (e.resource as Communication).recipient?.[0].reference).sort()).toEqual(
      [`Patient/${p.patient.id}`, `Practitioner/${p.doctor.id}`].sort(),
    );
    const theirs = await other.agent.get(search);
    expect(theirs.status).toBe(200);
    expect((JSON.parse(theirs.text) as Bundle).entry ?? []).toEqual([]);
  });
});

describe('e-mails about the patient record', () => {
  test('a prescription ordered and a report made final are announced once each, without clinical content', async () => {
    const p = await people({ language: 'fr' });
    at('2026-12-20T08:00:00Z');
    const subject = { reference: `Patient/${p.patient.id}` };
    const prescription = await create<MedicationRequest>({
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      subject,
      medicationCodeableConcept: { text: 'Secret-medication 20 mg' },
    });
    const report = await create<DiagnosticReport>({
      resourceType: 'DiagnosticReport',
      status: 'preliminary',
      code: { text: 'Lipid panel' },
      subject,
    });
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Votre ordonnance est prête']);
    expect(mailsTo(p.patientEmail)[0].text).not.toContain('Secret-medication');

    await update({ ...prescription, note: [{ text: 'renewed' }] });
    await update({ ...report, status: 'final' });
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Votre ordonnance est prête', 'Un nouveau compte rendu est disponible']);
    const res = await server.request.get(`/fhir/Communication?subject=Patient/${p.patient.id}`);
    const topics = ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => (e.resource as Communication).category?.[0].coding?.[0].code);
    expect(topics.sort()).toEqual(['prescription-ready', 'report-uploaded']);
  });
});

describe('follow-up recommended', () => {
  test('a doctor’s follow-up recommendation is announced to the patient once, in their language, and recorded', async () => {
    const p = await people({ language: 'de' });
    at('2026-12-21T08:00:00Z');
    const recommendation = await create<ServiceRequest>({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'proposal',
      code: { coding: [{ system: 'https://medbuddy.dev/fhir/CodeSystem/consultation-type', code: 'follow-up' }] },
      subject: { reference: `Patient/${p.patient.id}` },
      requester: { reference: `Practitioner/${p.doctor.id}` },
      reasonCode: [{ text: 'Secret-diagnosis check' }],
    });
    // A lab order is not a follow-up recommendation.
    await create<ServiceRequest>({
      resourceType: 'ServiceRequest',
      status: 'active',
      intent: 'order',
      code: { text: 'Lipid panel' },
      subject: { reference: `Patient/${p.patient.id}` },
    });
    await server.notifications.tick();
    const mail = await smtp.nextMessageTo(p.patientEmail);
    expect(mail.subject).toBe('Ein Folgetermin wird empfohlen');
    expect(mail.text).toContain('Ihre Ärztin oder Ihr Arzt empfiehlt einen Folgetermin.');
    expect(mail.text).toContain('http://medbuddy.test/patient/');
    expect(mail.text).not.toContain('Secret-diagnosis');
    await update({ ...recommendation, note: [{ text: 'in two weeks' }] });
    await server.notifications.tick();
    expect(subjectsTo(p.patientEmail)).toEqual(['Ein Folgetermin wird empfohlen']);
    const res = await server.request.get(`/fhir/Communication?subject=Patient/${p.patient.id}`);
    const records = ((JSON.parse(res.text) as Bundle).entry ?? []).map((e) => e.resource as Communication);
    expect(records).toEqual([
      expect.objectContaining({
        status: 'completed',
        category: [expect.objectContaining({ coding: [expect.objectContaining({ code: 'follow-up' })] })],
        about: [{ reference: `ServiceRequest/${recommendation.id}` }],
      }),
    ]);
  });
});

describe('two server instances on one database', () => {
  test('each notification is sent exactly once when both run their passes at the same moments', async () => {
    const second = await startTestServer({ SMTP_URL: smtp.url }, undefined, { clock, databaseUrl: server.databaseUrl });
    try {
      const p = await people();
      const start = '2026-12-28T09:00:00.000Z';
      at('2026-12-26T08:00:00Z');
      const bookings = await Promise.all(
        [0, 1, 2].map((i) => create(appointment(p, new Date(new Date(start).getTime() + i * 60_000).toISOString()))),
      );
      const both = () =>
        Promise.all([server.notifications.tick(), second.notifications.tick(), server.notifications.tick(), second.notifications.tick()]);
      await both();
      for (const before of [24 * HOUR, HOUR, 10 * 60_000]) {
        // The reminders of all three appointments are due, none stale yet.
        at(start, -before + 2 * 60_000);
        await both();
      }
      // 3 appointments x (confirmation + 3 reminders), to each of two people.
      expect(subjectsTo(p.patientEmail)).toHaveLength(12);
      expect(subjectsTo(p.doctorEmail)).toHaveLength(12);
      for (const booked of bookings) {
        expect(await communicationsAbout(booked.id, `Patient/${p.patient.id}`)).toHaveLength(8);
      }
    } finally {
      await second.close();
    }
  });
});
