import { createHmac } from 'node:crypto';
import type { Encounter } from '@medplum/fhirtypes';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import type { TwilioHttpClient } from '../../src/integrations/twilio-video';
import { bookAppointment, checkedIn, invoke, videoToken } from '../setup/consultations';
import { expectOutcome } from '../setup/matchers';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/** `Encounter/{id}/$video-token`: who gets credentials, when, and what they contain per provider. */
const FHIR_JSON = 'application/fhir+json';
const MINUTE = 60_000;

describe('built-in WebRTC (the default provider)', () => {
  let server: TestServer;
  let patient: Actor;
  let doctor: Actor;
  let otherPatient: Actor;
  let otherDoctor: Actor;

  beforeAll(async () => {
    server = await startTestServer({
      VIDEO_STUN_URLS: 'stun:turn.medbuddy.test:3478',
      VIDEO_TURN_URLS: 'turn:turn.medbuddy.test:3478?transport=udp',
      VIDEO_TURN_SECRET: 'turn-secret',
    });
    patient = await server.actAsPatient();
    doctor = await server.actAsDoctor();
    otherPatient = await server.actAsPatient();
    otherDoctor = await server.actAsDoctor();
  });
  afterAll(() => server.close());

  /** An Encounter for the appointment written directly (outside the waiting room), to test the window. */
  async function encounterFor(appointmentId: string, status: Encounter['status']): Promise<Encounter> {
    const encounter: Encounter = {
      resourceType: 'Encounter',
      status,
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'VR' },
      subject: { reference: patient.profile },
      participant: [{ individual: { reference: doctor.profile } }],
      appointment: [{ reference: `Appointment/${appointmentId}` }],
    };
    const res = await server.request.post('/fhir/Encounter').set('Content-Type', FHIR_JSON).send(JSON.stringify(encounter)).expect(201);
    return JSON.parse(res.text) as Encounter;
  }

  test('patient and practitioner get a token for the same room, with the signalling URL and STUN/TURN servers', async () => {
    const { appointment, encounter } = await checkedIn(server, patient, doctor);
    const forPatient = await videoToken(patient, encounter.id as string);
    const forDoctor = await videoToken(doctor, encounter.id as string);
    expect(forPatient).toMatchObject({
      provider: 'webrtc',
      room: `appointment-${appointment.id}`,
      identity: patient.profile,
      signallingUrl: 'ws://medbuddy.test/video/signal',
      expires: new Date(Date.parse(appointment.end as string) + 60 * MINUTE).toISOString(),
    });
    expect(forDoctor).toMatchObject({ room: forPatient.room, identity: doctor.profile });
    expect(forDoctor.token).not.toBe(forPatient.token);

    const [stun, turn] = forPatient.iceServers as { urls: string[]; username?: string; credential?: string }[];
    expect(stun).toEqual({ urls: ['stun:turn.medbuddy.test:3478'] });
    // TURN REST API credentials (coturn use-auth-secret): username "<expiry>:<identity>", password HMAC-SHA1.
    expect(turn.urls).toEqual(['turn:turn.medbuddy.test:3478?transport=udp']);
    expect(turn.username).toBe(`${Math.floor(Date.parse(forPatient.expires as string) / 1000)}:${patient.profile}`);
    expect(turn.credential).toBe(
      createHmac('sha1', 'turn-secret')
        .update(turn.username as string)
        .digest('base64'),
    );
  });

  test('nobody else gets one: another patient, another doctor, a system client, anonymous', async () => {
    await bookAppointment(server, patient, otherDoctor, 180); // otherDoctor now cares for the patient too
    const { encounter } = await checkedIn(server, patient, doctor);
    const path = `Encounter/${encounter.id}/$video-token`;
    expectOutcome(await invoke(otherPatient, path), 404, 'not-found');
    expectOutcome(await invoke(otherDoctor, path), 404, 'not-found');
    expectOutcome(await server.request.post(`/fhir/${path}`), 403, 'forbidden');
    expectOutcome(await server.anonymous().post(`/fhir/${path}`), 401, 'login');
    expectOutcome(await patient.agent.get(`/fhir/${path}`), 405, 'not-supported');
  });

  test('only inside the window: from VIDEO_CHECKIN_MINUTES before the start to an hour after the end', async () => {
    const early = await bookAppointment(server, patient, doctor, 120);
    const earlyEncounter = await encounterFor(early.id as string, 'planned');
    const tooEarly = expectOutcome(await invoke(patient, `Encounter/${earlyEncounter.id}/$video-token`), 422, 'business-rule');
    expect(tooEarly.issue?.[0]?.diagnostics).toContain('The video room opens at');

    const past = await bookAppointment(server, patient, doctor, -150);
    const pastEncounter = await encounterFor(past.id as string, 'in-progress');
    expectOutcome(await invoke(doctor, `Encounter/${pastEncounter.id}/$video-token`), 422, 'business-rule');

    // Overrunning the booked end is fine.
    const overrun = await bookAppointment(server, patient, doctor, -50);
    const overrunEncounter = await encounterFor(overrun.id as string, 'in-progress');
    expect((await videoToken(doctor, overrunEncounter.id as string)).provider).toBe('webrtc');
  });

  test('not for a cancelled appointment, a finished consultation, or an Encounter of no appointment', async () => {
    const { appointment, encounter } = await checkedIn(server, patient, doctor);
    await server.request
      .patch(`/fhir/Appointment/${appointment.id}`)
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'replace', path: '/status', value: 'cancelled' }])
      .expect(200);
    const cancelled = expectOutcome(await invoke(patient, `Encounter/${encounter.id}/$video-token`), 409, 'conflict');
    expect(cancelled.issue?.[0]?.diagnostics).toBe('The appointment is cancelled');

    const second = await checkedIn(server, patient, doctor);
    await invoke(doctor, `Encounter/${second.encounter.id}/$admit`).expect(200);
    await invoke(doctor, `Encounter/${second.encounter.id}/$end`).expect(200);
    expectOutcome(await invoke(patient, `Encounter/${second.encounter.id}/$video-token`), 409, 'conflict');

    const res = await server.request
      .post('/fhir/Encounter')
      .set('Content-Type', FHIR_JSON)
      .send(
        JSON.stringify({
          resourceType: 'Encounter',
          status: 'in-progress',
          class: { code: 'VR' },
          subject: { reference: patient.profile },
        }),
      )
      .expect(201);
    expectOutcome(await invoke(patient, `Encounter/${JSON.parse(res.text).id}/$video-token`), 422, 'business-rule');
  });

  test('the room page and its script are served with a CSP of their own', async () => {
    const page = await server.anonymous().get('/video/room').expect(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.text).toContain('<script src="/video/room.js">');
    const script = await server.anonymous().get('/video/room.js').expect(200);
    expect(script.headers['content-type']).toContain('javascript');
  });

  test("the room page joins a Twilio room with twilio-video's browser bundle from this server, not a CDN", async () => {
    const page = await server.anonymous().get('/video/room').expect(200);
    expect(page.headers['content-security-policy']).toContain("connect-src 'self' ws: wss: https://*.twilio.com");
    const script = await server.anonymous().get('/video/room.js').expect(200);
    expect(script.text).toContain("script.src = '/video/twilio-video.min.js'");
    const sdk = await server.anonymous().get('/video/twilio-video.min.js').expect(200);
    expect(sdk.headers['content-type']).toContain('javascript');
    expect(sdk.text).toContain('twilio-video.js 2.32.0');
  });
});

describe('Twilio Video', () => {
  const TWILIO = {
    VIDEO_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000001',
    TWILIO_API_KEY_SID: 'SK00000000000000000000000000000002',
    TWILIO_API_KEY_SECRET: 'api-key-secret-for-tests',
    TWILIO_MANAGE_ROOMS: 'true',
  };
  /** Stands in for Twilio's REST API: records each call, answers like it. */
  const calls: { method: string; uri: string; data?: Record<string, string> }[] = [];
  let outage = false;
  const httpClient = {
    async request(opts: { method: string; uri: string; data?: Record<string, string> }) {
      calls.push({ method: opts.method, uri: opts.uri, data: opts.data });
      if (outage) {
        return { statusCode: 503, body: JSON.stringify({ code: 20503, message: 'Service unavailable', status: 503 }), headers: {} };
      }
      const existing = calls.filter((c) => c.method === 'post' && c.uri.endsWith('/Rooms')).length > 1;
      if (existing && opts.uri.endsWith('/Rooms')) {
        return { statusCode: 400, body: JSON.stringify({ code: 53113, message: 'Room exists', status: 400 }), headers: {} };
      }
      return {
        statusCode: 201,
        body: JSON.stringify({ sid: 'RM1', unique_name: opts.data?.UniqueName, status: 'in-progress' }),
        headers: {},
      };
    },
  } as unknown as TwilioHttpClient;
  let server: TestServer;
  let patient: Actor;
  let doctor: Actor;

  beforeAll(async () => {
    server = await startTestServer(TWILIO, undefined, { twilioHttpClient: httpClient });
    patient = await server.actAsPatient();
    doctor = await server.actAsDoctor();
  });
  afterAll(() => server.close());

  test('the access token carries a Video grant for the appointment room, the identity and the expiry, signed with the API key secret', async () => {
    const { appointment, encounter } = await checkedIn(server, patient, doctor);
    const issued = await videoToken(patient, encounter.id as string);
    expect(issued).toMatchObject({ provider: 'twilio', room: `appointment-${appointment.id}`, identity: patient.profile });
    expect(issued.signallingUrl).toBeUndefined();

    const token = issued.token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'JWT', cty: 'twilio-fpa;v=1' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(TWILIO.TWILIO_API_KEY_SECRET), { algorithms: ['HS256'] });
    expect(payload).toMatchObject({
      iss: TWILIO.TWILIO_API_KEY_SID,
      sub: TWILIO.TWILIO_ACCOUNT_SID,
      grants: { identity: patient.profile, video: { room: `appointment-${appointment.id}` } },
    });
    const windowEnd = Date.parse(appointment.end as string) + 60 * MINUTE;
    expect((payload.exp as number) * 1000).toBeLessThanOrEqual(windowEnd + 1000);
    expect((payload.exp as number) * 1000).toBeGreaterThan(Date.now());
    await expect(jwtVerify(token, new TextEncoder().encode('another secret'))).rejects.toThrow();
  });

  test('the room is created before the first token (an existing one is fine) and completed when the consultation ends', async () => {
    calls.length = 0;
    const { appointment, encounter } = await checkedIn(server, patient, doctor);
    await videoToken(patient, encounter.id as string);
    await videoToken(doctor, encounter.id as string);
    expect(calls.filter((c) => c.uri.endsWith('/v1/Rooms'))).toEqual([
      expect.objectContaining({ method: 'post', data: expect.objectContaining({ UniqueName: `appointment-${appointment.id}` }) }),
      expect.objectContaining({ method: 'post' }),
    ]);
    await invoke(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
    await invoke(doctor, `Encounter/${encounter.id}/$end`).expect(200);
    expect(calls.at(-1)).toMatchObject({
      method: 'post',
      uri: `https://video.twilio.com/v1/Rooms/appointment-${appointment.id}`,
      data: { Status: 'completed' },
    });
  });

  test('Twilio failing is a 503 to retry; failing to complete a room does not undo the end', async () => {
    const { encounter } = await checkedIn(server, patient, doctor);
    outage = true;
    try {
      expectOutcome(await invoke(patient, `Encounter/${encounter.id}/$video-token`), 503, 'transient');
      await invoke(doctor, `Encounter/${encounter.id}/$admit`).expect(200);
      await invoke(doctor, `Encounter/${encounter.id}/$end`).expect(200);
    } finally {
      outage = false;
    }
    const ended = await server.request.get(`/fhir/Encounter/${encounter.id}`).expect(200);
    expect(JSON.parse(ended.text).status).toBe('finished');
  });

  test('refusals are the same as for the built-in mode', async () => {
    const { encounter } = await checkedIn(server, patient, doctor);
    const stranger = await server.actAsPatient();
    expectOutcome(await invoke(stranger, `Encounter/${encounter.id}/$video-token`), 404, 'not-found');
  });
});
