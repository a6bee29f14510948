import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import WebSocket from 'ws';
import { consultationRoom } from '../setup/consultations';
import { startChildServer, type ChildServer } from '../setup/child-server';
import { ICE, SignallingClients, type SignallingClient } from '../setup/signalling-client';
import type { Actor } from '../setup/test-server';

/**
 * The built-in video signalling with `WEB_CONCURRENCY=2` (the server as production runs it):
 * node:cluster hands connections to the workers in turn, so the two participants of a room
 * are connected to different workers, and the primary process keeps the rooms.
 */

let server: ChildServer;
let patient: Actor;
let doctor: Actor;
const clients = new SignallingClients();

beforeAll(async () => {
  server = await startChildServer({ WEB_CONCURRENCY: '2' });
  patient = await server.checker.actAsPatient();
  doctor = await server.checker.actAsDoctor();
});
afterEach(() => clients.closeAll());
afterAll(() => server.close());

const join = (token: string) => clients.join(server.origin, token);
/** A checked-in consultation (made through the in-process checker on the same database) and both room tokens. */
const room = () => consultationRoom(server.checker, patient, doctor);

async function pair(tokens: { patientToken: string; doctorToken: string }) {
  const a = await join(tokens.patientToken);
  const b = await join(tokens.doctorToken);
  expect(b.joined).toMatchObject({ identity: doctor.profile, peers: [patient.profile] });
  expect(await a.client.next('peer-joined')).toEqual({ type: 'peer-joined', identity: doctor.profile });
  return [a.client, b.client] as const;
}

async function expectRelaying(a: SignallingClient, b: SignallingClient): Promise<void> {
  a.send(ICE);
  expect(await b.next('ice')).toMatchObject({ candidate: ICE.candidate, from: patient.profile });
  b.send({ type: 'offer', sdp: 'v=0\r\n' });
  expect(await a.next('offer')).toEqual({ type: 'offer', sdp: 'v=0\r\n', from: doctor.profile });
}

async function post(actor: Actor, path: string): Promise<number> {
  const res = await fetch(`${server.origin}/fhir/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${actor.token}` } });
  return res.status;
}

test('participants on different workers pair, relay both ways, and hear of each other leaving', async () => {
  const tokens = await room();
  const [a, b] = await pair(tokens);
  await expectRelaying(a, b);

  a.send({ type: 'leave' });
  expect(await b.next('peer-left')).toEqual({ type: 'peer-left', identity: patient.profile });
  const again = await join(tokens.patientToken);
  expect(again.joined).toMatchObject({ peers: [doctor.profile] });
  await b.next('peer-joined');
  await expectRelaying(again.client, b);
});

test('joining again through the other worker replaces the old connection; a token admits to its own room only', async () => {
  const tokens = await room();
  const [a, b] = await pair(tokens);
  const second = await join(tokens.patientToken);
  expect((await a.closed).code).toBe(4000);
  await b.next('peer-joined');
  expect(b.pending('peer-left')).toEqual([]);
  await expectRelaying(second.client, b);

  const other = await room();
  const intruder = await clients.connect(server.origin);
  intruder.send({ type: 'join', token: other.patientToken });
  expect(await intruder.next('joined')).toMatchObject({ peers: [] });
  intruder.send(ICE);
  expect(await intruder.next('error')).toMatchObject({ code: 'no-peer' });
  expect(b.pending('ice')).toEqual([]);
});

test('the end of the consultation, asked of either worker, disconnects both participants', async () => {
  const tokens = await room();
  const [a, b] = await pair(tokens);
  expect(await post(doctor, `Encounter/${tokens.encounter.id}/$admit`)).toBe(200);
  expect(await post(doctor, `Encounter/${tokens.encounter.id}/$end`)).toBe(200);
  expect(await a.closed).toEqual({ code: 4004, reason: 'The consultation has ended' });
  expect(await b.closed).toEqual({ code: 4004, reason: 'The consultation has ended' });
});

test('when a worker dies, the participant on the other worker is told that the peer left', async () => {
  const workers = workersOf(server.process.pid as number);
  expect(workers).toHaveLength(2);
  // The primary hands connections to the workers in turn, but other connections (this file's
  // HTTP requests) shift the turn: pair again until the two are on different workers.
  let a: SignallingClient | undefined;
  let b: SignallingClient | undefined;
  for (let attempt = 0; attempt < 5 && !a; attempt++) {
    const pairing = await pair(await room());
    const [first, second] = pairing.map((client) => workerServing(client, workers));
    expect(first && second).toBeTruthy();
    if (first !== second) {
      [a, b] = pairing;
    } else {
      await Promise.all(pairing.map((client) => client.close()));
    }
  }
  if (!a || !b) {
    throw new Error('five pairs in a row were served by one worker');
  }
  process.kill(workerServing(a, workers) as number, 'SIGKILL');
  expect((await a.closed).code).toBe(1006);
  expect(await b.next('peer-left')).toEqual({ type: 'peer-left', identity: patient.profile });
  expect(b.socket.readyState).toBe(WebSocket.OPEN);
});

/**
 * The worker holding the server end of a client's connection: the socket whose local port is
 * the server's and whose remote port is the client's (/proc/net/tcp), among the workers' fds.
 */
function workerServing(client: SignallingClient, workers: readonly number[]): number | undefined {
  const clientPort = (client.socket as unknown as { _socket: { localPort: number } })._socket.localPort;
  const serverPort = Number(new URL(server.origin).port);
  const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((table) => readFileSync(table, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter(([, local, remote]) => local?.endsWith(`:${hexPort(serverPort)}`) && remote?.endsWith(`:${hexPort(clientPort)}`))
    .map((fields) => `socket:[${fields[9]}]`);
  return workers.find((pid) =>
    readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return inodes.includes(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false; // closed meanwhile
      }
    }),
  );
}

/** The worker processes of the server `pid` (from /proc: children running src/main.ts, not tsx's esbuild). */
function workersOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
        return parent === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('src/main.ts');
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}
