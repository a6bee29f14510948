import type { Appointment } from '@medplum/fhirtypes';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { checkedIn, consultationRoom, invoke, videoToken } from '../setup/consultations';
import { ICE, SignallingClients, type SignallingClient } from '../setup/signalling-client';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The built-in WebRTC signalling endpoint with two (and more) real WebSocket clients: joining
 * with a room token, relaying offer/answer/ICE between the two participants only, leaving
 * and rejoining, and everything that must be refused without disturbing the room.
 */
const FHIR_JSON = 'application/fhir+json';
const OFFER = { type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n' };

let server: TestServer;
let patient: Actor;
let doctor: Actor;
const clients = new SignallingClients();

beforeAll(async () => {
  server = await startTestServer();
  patient = await server.actAsPatient();
  doctor = await server.actAsDoctor();
});
afterEach(() => clients.closeAll());
afterAll(() => server.close());

const join = (token: string) => clients.join(server.address, token);
const connect = () => clients.connect(server.address);
const room = () => consultationRoom(server, patient, doctor);

/** Both participants joined: [patient, doctor]. */
async function pair(tokens: { patientToken: string; doctorToken: string }) {
  const a = await join(tokens.patientToken);
  const b = await join(tokens.doctorToken);
  await a.client.next('peer-joined');
  return [a.client, b.client] as const;
}

/** The room still relays both ways. */
async function expectRelaying(a: SignallingClient, b: SignallingClient): Promise<void> {
  a.send(ICE);
  expect(await b.next('ice')).toMatchObject({ candidate: ICE.candidate, from: patient.profile });
  b.send(ICE);
  expect(await a.next('ice')).toMatchObject({ from: doctor.profile });
}

describe('two participants', () => {
  test('join the same room and exchange offer, answer and ICE candidates', async () => {
    const tokens = await room();
    const a = await join(tokens.patientToken);
    expect(a.joined).toEqual({ type: 'joined', room: tokens.room, identity: patient.profile, peers: [], iceServers: [] });
    a.client.send(OFFER);
    expect(await a.client.next('error')).toMatchObject({ code: 'no-peer' });

    const b = await join(tokens.doctorToken);
    expect(b.joined).toMatchObject({ identity: doctor.profile, peers: [patient.profile] });
    expect(await a.client.next('peer-joined')).toEqual({ type: 'peer-joined', identity: doctor.profile });

    b.client.send(OFFER);
    expect(await a.client.next('offer')).toEqual({ ...OFFER, from: doctor.profile });
    a.client.send({ type: 'answer', sdp: 'v=0\r\n' });
    expect(await b.client.next('answer')).toEqual({ type: 'answer', sdp: 'v=0\r\n', from: patient.profile });
    await expectRelaying(a.client, b.client);
  });

  test('either may leave and rejoin; the other is told', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);
    a.send({ type: 'leave' });
    expect((await a.closed).code).toBe(1000);
    expect(await b.next('peer-left')).toEqual({ type: 'peer-left', identity: patient.profile });
    const again = await join(tokens.patientToken);
    expect(again.joined).toMatchObject({ peers: [doctor.profile] });
    await b.next('peer-joined');
    await expectRelaying(again.client, b);

    // A dropped connection (no leave message) counts as leaving too.
    b.socket.terminate();
    expect(await again.client.next('peer-left')).toMatchObject({ identity: doctor.profile });
  });

  test('joining again from a new connection replaces the old one', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);
    const second = await join(tokens.patientToken);
    expect((await a.closed).code).toBe(4000);
    await b.next('peer-joined');
    expect(b.pending('peer-left')).toEqual([]);
    await expectRelaying(second.client, b);
  });
});

describe('refused, the room unaffected', () => {
  test('a third participant', async () => {
    const third = await server.actAsDoctor();
    const { encounter } = await checkedIn(server, patient, doctor);
    const appointmentId = (encounter.appointment?.[0]?.reference as string).split('/')[1];
    // A second practitioner on the appointment (e.g. an interpreter booked as a participant).
    const appointment = JSON.parse((await server.request.get(`/fhir/Appointment/${appointmentId}`).expect(200)).text) as Appointment;
    appointment.participant.push({ actor: { reference: third.profile }, status: 'accepted' });
    await server.request
      .put(`/fhir/Appointment/${appointmentId}`)
      .set('Content-Type', FHIR_JSON)
      .send(JSON.stringify(appointment))
      .expect(200);
    const tokens = {
      patientToken: (await videoToken(patient, encounter.id as string)).token as string,
      doctorToken: (await videoToken(doctor, encounter.id as string)).token as string,
    };
    const thirdToken = (await videoToken(third, encounter.id as string)).token as string;
    const [a, b] = await pair(tokens);

    const intruder = await connect();
    intruder.send({ type: 'join', token: thirdToken });
    expect(await intruder.closed).toEqual({ code: 4003, reason: 'The room already has its two participants' });
    expect(a.pending('peer-joined')).toEqual([]);
    await expectRelaying(a, b);
  });

  test('a missing, forged or other-purpose token, and messages before joining', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);

    const early = await connect();
    early.send(OFFER);
    expect(await early.next('error')).toMatchObject({ code: 'not-joined' });
    early.send({ type: 'join' });
    expect(await early.next('error')).toMatchObject({ code: 'not-joined' });

    const forged = await new SignJWT({ room: tokens.room })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('Patient/intruder')
      .setAudience('medbuddy-video-signalling')
      .setIssuer(server.publicUrl)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a guessed key of thirty-two bytes!'));
    early.send({ type: 'join', token: forged });
    expect(await early.closed).toEqual({ code: 4001, reason: 'Invalid or expired room token' });

    // An API access token is no room token.
    const apiToken = await connect();
    apiToken.send({ type: 'join', token: patient.token });
    expect((await apiToken.closed).code).toBe(4001);
    await expectRelaying(a, b);
  });

  test('malformed messages get an error and never reach the other participant', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);
    const bad: unknown[] = [
      'not json',
      '[1,2]',
      '"offer"',
      { type: 'dance' },
      { type: 'offer' },
      { type: 'offer', sdp: 42 },
      { type: 'offer', sdp: 'x'.repeat(33 * 1024) },
      { type: 'ice', candidate: 'candidate:1' },
      { type: 'ice', candidate: { candidate: 'c', sdpMLineIndex: 'zero' } },
      { type: 'join', token: tokens.patientToken },
    ];
    for (const message of bad) {
      a.send(message);
      const error = await a.next('error');
      expect(error).toMatchObject({ type: 'error', code: 'malformed', message: expect.any(String) });
    }
    a.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await a.next('error')).toMatchObject({ code: 'malformed', message: 'Messages are JSON text' });
    await expectRelaying(a, b);
    expect(b.pending('offer')).toEqual([]);
  });

  test('a message over the size limit closes only that connection', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);
    a.send({ type: 'offer', sdp: 'x'.repeat(70 * 1024) });
    expect((await a.closed).code).toBe(1009);
    expect(await b.next('peer-left')).toMatchObject({ identity: patient.profile });
    const again = await join(tokens.patientToken);
    await expectRelaying(again.client, b);
  });

  test('a flood is rate limited, then cut off; the other participant stays and the flooder may rejoin', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);
    for (let i = 0; i < 400; i++) {
      a.send(ICE);
    }
    expect(await a.next('error')).toMatchObject({ code: 'rate-limited' });
    expect((await a.closed).code).toBe(4008);
    expect(await b.next('peer-left')).toMatchObject({ identity: patient.profile });
    // What got through before the limit is bounded by the burst size.
    expect(b.pending('ice').length).toBeLessThanOrEqual(120);
    const again = await join(tokens.patientToken);
    await b.next('peer-joined');
    b.send(ICE);
    expect(await again.client.next('ice')).toMatchObject({ from: doctor.profile });
  });

  test('a WebSocket upgrade anywhere else is refused with 404', async () => {
    const socket = new WebSocket(server.address.replace(/^http/, 'ws') + '/fhir/Patient');
    const error = await new Promise<Error>((resolve) => socket.once('error', resolve));
    expect(error.message).toContain('404');
  });

  test('a room token admits to its own room only', async () => {
    const first = await room();
    const second = await room();
    const a = await join(first.patientToken);
    expect(a.joined).toMatchObject({ room: first.room });
    const b = await join(second.doctorToken);
    expect(b.joined).toMatchObject({ room: second.room, peers: [] });
    b.client.send(ICE);
    expect(await b.client.next('error')).toMatchObject({ code: 'no-peer' });
    expect(a.client.pending('peer-joined')).toEqual([]);
  });
});

describe('the end of the consultation', () => {
  test('disconnects both participants, and no new token is issued', async () => {
    const tokens = await room();
    const [a, b] = await pair(tokens);
    await invoke(doctor, `Encounter/${tokens.encounter.id}/$admit`).expect(200);
    await invoke(doctor, `Encounter/${tokens.encounter.id}/$end`).expect(200);
    expect(await a.closed).toEqual({ code: 4004, reason: 'The consultation has ended' });
    expect((await b.closed).code).toBe(4004);
    expect((await invoke(patient, `Encounter/${tokens.encounter.id}/$video-token`)).status).toBe(409);
  });
});
