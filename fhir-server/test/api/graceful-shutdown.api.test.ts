import { startChildServer } from '../setup/child-server';

/**
 * SIGTERM under load (issue 14): requests the server is working on finish with their real
 * answer, none fails with a 5xx, every acknowledged write is stored, the AuditEvents of every
 * answered read are flushed before the process exits, and it exits 0 within its 10 s limit.
 */
const FHIR_JSON = 'application/fhir+json';

test('SIGTERM during a read and write load drains in-flight requests, flushes the audit buffer and exits 0', async () => {
  const server = await startChildServer();
  const { origin, checker } = server;
  try {
    const token = await checker.mintToken({ client_id: 'drain-test', sub: 'drain-test', scope: 'system/*.*' });
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': FHIR_JSON };
    const target = (
      await checker.request
        .post('/fhir/Patient')
        .send({ resourceType: 'Patient', name: [{ family: 'Drain' }] })
        .expect(201)
    ).body as { id: string };

    const reads: number[] = [];
    const created: string[] = [];
    const failures: string[] = [];
    let signalledAt = Number.POSITIVE_INFINITY;
    let answeredAfterSignal = 0;
    let stop = false;
    let lastRefusal = '';
    const answered = (status: number, what: string) => {
      if (status >= 500) {
        failures.push(`${what}: ${status}`);
      }
      if (Date.now() > signalledAt) {
        answeredAfterSignal++;
      }
    };
    const reader = async () => {
      while (!stop) {
        const res = await fetch(`${origin}/fhir/Patient/${target.id}`, { headers }).catch(() => undefined);
        if (!res) {
          if (Date.now() > signalledAt) {
            return; // the listener has closed: no new connections
          }
          continue; // a kept-alive connection of an earlier server on this port: a new one is opened
        }
        await res.arrayBuffer();
        answered(res.status, 'read');
        if (res.status === 200) {
          reads.push(Date.now());
        }
      }
    };
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const body = JSON.stringify({ resourceType: 'Patient', identifier: [{ system: 'urn:test:drain', value: `w${w}-${n}` }] });
        const res = await fetch(`${origin}/fhir/Patient`, { method: 'POST', headers, body }).catch(() => undefined);
        if (!res) {
          if (Date.now() > signalledAt) {
            return;
          }
          continue;
        }
        const text = await res.text();
        answered(res.status, 'create');
        if (res.status !== 201) {
          lastRefusal = `${res.status} ${text.slice(0, 300)}`;
        }
        if (res.status === 201) {
          created.push((JSON.parse(text) as { id: string }).id);
        }
      }
    };
    const load = Promise.all([reader(), reader(), reader(), writer(0), writer(1)]);
    for (const deadline = Date.now() + 60_000; reads.length < 50 || created.length < 10;) {
      if (Date.now() > deadline) {
        throw new Error(`the load did not get going: ${reads.length} reads, ${created.length} creates (${lastRefusal})`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    signalledAt = Date.now();
    server.process.kill('SIGTERM');
    const exitCode = await server.exited;
    const stoppedAt = Date.now();
    stop = true;
    await load;

    expect(exitCode).toBe(0);
    expect(stoppedAt - signalledAt).toBeLessThan(10_000);
    expect(failures).toEqual([]);
    // Requests already on their way when the signal came were answered, not cut off.
    expect(answeredAfterSignal).toBeGreaterThan(0);

    const stored = await checker.request.get(`/fhir/Patient?identifier=urn:test:drain|&_count=0&_total=accurate`).expect(200);
    expect(stored.body.total).toBeGreaterThanOrEqual(created.length);
    for (const id of created) {
      await checker.request.get(`/fhir/Patient/${id}`).expect(200);
    }
    // One AuditEvent per answered read, stored from the buffer before the exit.
    const audits = await checker.request
      .get(`/fhir/AuditEvent?entity=Patient/${target.id}&subtype=read&_count=0&_total=accurate`)
      .expect(200);
    expect(audits.body.total).toBe(reads.length);
  } finally {
    await server.close();
  }
});
