import type { Bundle } from '@medplum/fhirtypes';
import { startChildServer } from '../setup/child-server';
import type { TestServer } from '../setup/test-server';

/**
 * kill -9 of a server under a load of transactions (issue 14): every transaction the server
 * acknowledged is stored whole, and no transaction is stored in part.
 */
const FHIR_JSON = 'application/fhir+json';
const SYSTEM = 'urn:test:crash';

test('kill -9 during a transaction load loses no acknowledged write and leaves no partial transaction', async () => {
  const server = await startChildServer();
  const { origin, checker } = server;
  try {
    const token = await checker.mintToken({ client_id: 'crash-test', sub: 'crash-test', scope: 'system/*.*' });
    const acknowledged: string[] = [];
    let stop = false;
    let killed = false;
    const worker = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const id = `w${w}-${n}`;
        try {
          const res = await fetch(`${origin}/fhir`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${token}`, 'Content-Type': FHIR_JSON },
            body: JSON.stringify(transaction(id)),
          });
          if (res.status === 200) {
            acknowledged.push(id);
          }
        } catch {
          if (killed) {
            return; // the server is gone
          }
          // else a kept-alive connection of an earlier server on this port: a new one is opened
        }
      }
    };
    const load = Promise.all([0, 1, 2, 3].map(worker));
    for (const deadline = Date.now() + 60_000; acknowledged.length < 20;) {
      if (Date.now() > deadline) {
        throw new Error(`the load did not get going: ${acknowledged.length} transactions acknowledged`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    killed = true;
    server.process.kill('SIGKILL');
    stop = true;
    await load;

    const patients = await everyPage(checker, `/fhir/Patient?identifier=${SYSTEM}|&_count=1000&_revinclude=Observation:subject`);
    const stored = new Map<string, number>();
    for (const entry of patients.filter((e) => e.resource?.resourceType === 'Patient')) {
      const value = (entry.resource as { identifier: { value: string }[] }).identifier[0].value;
      stored.set(
        value,
        patients.filter((e) => (e.resource as { subject?: { reference: string } }).subject?.reference === `Patient/${entry.resource?.id}`)
          .length,
      );
    }
    for (const id of acknowledged) {
      expect([id, stored.get(id)]).toEqual([id, 2]);
    }
    // Stored but not acknowledged (the reply was lost in the crash) is fine; half stored is not.
    expect([...stored.values()].filter((observations) => observations !== 2)).toEqual([]);
  } finally {
    await server.close();
  }
});

/** A transaction of a Patient and two Observations about it (urn:uuid references). */
function transaction(id: string): Bundle {
  const patientUrl = `urn:uuid:${crypto.randomUUID()}`;
  const observation = (text: string) => ({
    request: { method: 'POST' as const, url: 'Observation' },
    resource: { resourceType: 'Observation' as const, status: 'final' as const, code: { text }, subject: { reference: patientUrl } },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      {
        fullUrl: patientUrl,
        request: { method: 'POST', url: 'Patient' },
        resource: { resourceType: 'Patient', identifier: [{ system: SYSTEM, value: id }] },
      },
      observation(`${id} a`),
      observation(`${id} b`),
    ],
  };
}

async function everyPage(server: TestServer, first: string): Promise<NonNullable<Bundle['entry']>> {
  const entries: NonNullable<Bundle['entry']> = [];
  let next: string | undefined = first;
  while (next) {
    const page = JSON.parse((await server.request.get(next).expect(200)).text) as Bundle;
    entries.push(...(page.entry ?? []));
    const link = page.link?.find((l) => l.relation === 'next')?.url;
    next = link ? new URL(link).pathname + new URL(link).search : undefined;
  }
  return entries;
}
