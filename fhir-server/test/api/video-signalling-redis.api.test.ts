import { Redis } from 'ioredis';
import { consultationRoom, invoke } from '../setup/consultations';
import { ICE, SignallingClient, SignallingClients } from '../setup/signalling-client';
import { createThrowawayDatabase } from '../setup/test-database';
import { startTestServer, type Actor, type TestServer } from '../setup/test-server';

/**
 * The built-in video signalling across two server instances (hosts behind a load balancer)
 * sharing PostgreSQL and Redis (`REDIS_URL`, the real Redis at 127.0.0.1:6379): the patient
 * is connected to one instance, the doctor to the other.
 */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

let database: { url: string; drop(): Promise<void> };
let a: TestServer;
let b: TestServer;
let patient: Actor;
let doctor: Actor;
const clients = new SignallingClients();

beforeAll(async () => {
  database = await createThrowawayDatabase();
  a = await startTestServer({ DATABASE_URL: database.url, REDIS_URL });
  b = await startTestServer({ DATABASE_URL: database.url, REDIS_URL });
  patient = await a.actAsPatient();
  doctor = await a.actAsDoctor();
});
afterEach(() => clients.closeAll());
afterAll(async () => {
  await a?.close();
  await b?.close();
  await database?.drop();
});

const join = (server: TestServer, token: string) => clients.join(server.address, token);
const room = () => consultationRoom(a, patient, doctor);

async function expectRelaying(from: SignallingClient, to: SignallingClient, sender: string): Promise<void> {
  from.send(ICE);
  expect(await to.next('ice')).toMatchObject({ candidate: ICE.candidate, from: sender });
}

test('participants on two instances pair, relay both ways, leave and rejoin', async () => {
  const tokens = await room();
  const p = await join(a, tokens.patientToken);
  expect(p.joined).toMatchObject({ peers: [] });
  const d = await join(b, tokens.doctorToken);
  expect(d.joined).toMatchObject({ peers: [patient.profile] });
  expect(await p.client.next('peer-joined')).toEqual({ type: 'peer-joined', identity: doctor.profile });
  await expectRelaying(p.client, d.client, patient.profile as string);
  await expectRelaying(d.client, p.client, doctor.profile as string);

  p.client.send({ type: 'leave' });
  expect(await d.client.next('peer-left')).toEqual({ type: 'peer-left', identity: patient.profile });
  const again = await join(b, tokens.patientToken);
  expect(again.joined).toMatchObject({ peers: [doctor.profile] });
  await expectRelaying(again.client, d.client, patient.profile as string);
});

test('joining again on the other instance replaces the old connection; the end of the consultation closes both', async () => {
  const tokens = await room();
  const p = await join(a, tokens.patientToken);
  const d = await join(b, tokens.doctorToken);
  await p.client.next('peer-joined');
  const moved = await join(b, tokens.patientToken);
  expect((await p.client.closed).code).toBe(4000);
  expect(d.client.pending('peer-left')).toEqual([]);
  await expectRelaying(d.client, moved.client, doctor.profile as string);

  await invoke(doctor, `Encounter/${tokens.encounter.id}/$admit`).expect(200);
  await invoke(doctor, `Encounter/${tokens.encounter.id}/$end`).expect(200); // through instance a
  expect(await moved.client.closed).toEqual({ code: 4004, reason: 'The consultation has ended' });
  expect(await d.client.closed).toEqual({ code: 4004, reason: 'The consultation has ended' });
});

test('without Redis a join is closed as unavailable (1011), which clients retry', async () => {
  const offline = await startTestServer({ DATABASE_URL: database.url, REDIS_URL: 'redis://127.0.0.1:1' });
  try {
    const tokens = await room();
    const client = await SignallingClient.connect(offline.address);
    client.send({ type: 'join', token: tokens.patientToken });
    expect((await client.closed).code).toBe(1011);
  } finally {
    await offline.close();
  }
});

test('the seat of an instance that stopped saying it is alive no longer counts, and is dropped', async () => {
  const tokens = await room();
  const redis = new Redis(REDIS_URL);
  const key = `medbuddy:signalling:room:${tokens.room}`;
  try {
    // The patient joined on an instance that died without leaving (its liveness key expired).
    await redis.hset(key, patient.profile as string, 'instance-that-died/1');
    const d = await join(b, tokens.doctorToken);
    expect(d.joined).toMatchObject({ peers: [] });
    expect(await redis.hgetall(key)).toEqual({ [doctor.profile as string]: expect.stringMatching(/\/\d+$/) });
    const p = await join(a, tokens.patientToken);
    expect(p.joined).toMatchObject({ peers: [doctor.profile] });
    await expectRelaying(p.client, d.client, patient.profile as string);
  } finally {
    redis.disconnect();
  }
});
