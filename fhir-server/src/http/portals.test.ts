import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Koa from 'koa';
import supertest from 'supertest';
import type { PortalConfig } from '../config';
import type { Logger } from '../logger';
import { portals } from './portals';

const INDEX = '<!doctype html><html><head><base href="/somewhere-else/"></head><body><pp-root></pp-root></body></html>';

describe('portals middleware (built Angular apps with SPA fallback)', () => {
  let root: string;
  let request: supertest.Agent;
  const logged: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'medbuddy-portals-'));
    const patient = path.join(root, 'patient');
    await mkdir(path.join(patient, 'media'), { recursive: true });
    await writeFile(path.join(patient, 'index.html'), INDEX);
    await writeFile(path.join(patient, 'main-ABCD1234.js'), 'console.log("app")');
    await writeFile(path.join(patient, 'styles-ZZZZ9999.css'), 'body{}');
    await writeFile(path.join(patient, 'favicon.svg'), '<svg/>');
    await writeFile(path.join(root, 'secret.txt'), 'outside the portal');
    const logger: Logger = { info: (message, details) => logged.push(`${message} ${JSON.stringify(details)}`), error: () => undefined };
    const configs: PortalConfig[] = [
      { name: 'patient-portal', mountPath: '/patient', distDir: patient },
      { name: 'clinician-portal', mountPath: '/clinician', distDir: path.join(root, 'not-built') },
    ];
    const app = new Koa();
    app.use(portals(configs, logger));
    app.use((ctx) => {
      ctx.body = 'next middleware';
    });
    request = supertest.agent(app.callback());
  });

  afterAll(() => rm(root, { recursive: true, force: true }));

  it('serves index.html at the mount, never cached, with the base href of the mount', async () => {
    const res = await request.get('/patient/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('<base href="/patient/" />');
    expect(res.text).not.toContain('somewhere-else');
  });

  it('falls back to index.html for client-side routes, deep links and index.html itself', async () => {
    for (const url of ['/patient/home', '/patient/appointments/42?tab=notes', '/patient/callback?code=x&state=y', '/patient/index.html']) {
      const res = await request.get(url);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<pp-root>');
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets for a year (immutable) and other files revalidated', async () => {
    const script = await request.get('/patient/main-ABCD1234.js');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.text).toBe('console.log("app")');
    const styles = await request.get('/patient/styles-ZZZZ9999.css');
    expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');
    const icon = await request.get('/patient/favicon.svg');
    expect(icon.headers['content-type']).toBe('image/svg+xml');
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers a missing asset with 404 rather than the HTML of the app', async () => {
    const res = await request.get('/patient/chunk-OLDBUILD.js');
    expect(res.status).toBe(404);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('never serves files outside the build folder (path traversal)', async () => {
    for (const url of [
      '/patient/../secret.txt',
      '/patient/..%2fsecret.txt',
      '/patient/%2e%2e/secret.txt',
      '/patient/%E0%A4%A',
      '/patient/a%00.js',
    ]) {
      const res = await request.get(url);
      expect(res.text).not.toContain('outside the portal');
      expect([200, 404]).toContain(res.status);
    }
  });

  it('sets a portal Content-Security-Policy that allows its own scripts only', async () => {
    const res = await request.get('/patient/home');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('redirects the bare mount path to the mount with a slash, keeping the query', async () => {
    const res = await request.get('/patient?x=1');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('/patient/?x=1');
  });

  it('answers HEAD without a body, and passes other methods and paths on', async () => {
    const head = await request.head('/patient/main-ABCD1234.js');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String('console.log("app")'.length));
    expect((await request.post('/patient/home')).text).toBe('next middleware');
    expect((await request.get('/patientx/home')).text).toBe('next middleware');
    expect((await request.get('/fhir/metadata')).text).toBe('next middleware');
  });

  it('skips a portal whose build is missing, with a log line saying how to build it', async () => {
    expect((await request.get('/clinician/')).text).toBe('next middleware');
    expect(logged.some((line) => line.startsWith('Portal not built') && line.includes('npm run build -w clinician-portal'))).toBe(true);
    expect(logged.some((line) => line.startsWith('Serving portal') && line.includes('/patient/'))).toBe(true);
  });
});
