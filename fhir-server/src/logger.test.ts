import { Writable } from 'node:stream';
import { createJsonLogger } from './logger';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString()
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as Record<string, unknown>),
      );
      done();
    },
  });
  return { lines, stream };
}

describe('structured JSON logs (pino)', () => {
  test('one JSON object per event with level, ISO time, message and the details', () => {
    const { lines, stream } = capture();
    createJsonLogger(stream).info('request', { requestId: 'r-1', method: 'GET', path: '/fhir/Patient', status: 200, ms: 3.2 });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', message: 'request', requestId: 'r-1', method: 'GET', path: '/fhir/Patient', status: 200 }),
    ]);
    expect(new Date(lines[0].time as string).toISOString()).toBe(lines[0].time);
  });

  test('secrets and personal data in details are redacted', () => {
    const { lines, stream } = capture();
    createJsonLogger(stream).error('login failed', {
      email: 'alice@example.org',
      password: 'hunter2hunter2',
      account: { email: 'alice@example.org', name: 'Alice', id: 'a1' },
      authorization: 'Bearer abc',
    });
    const text = JSON.stringify(lines);
    expect(text).not.toMatch(/alice|hunter2|Bearer abc/i);
    expect(lines[0]).toMatchObject({ level: 'error', message: 'login failed', account: { id: 'a1', email: '[redacted]' } });
  });
});
