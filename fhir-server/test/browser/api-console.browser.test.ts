import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { startChildServer, type ChildServer } from '../setup/child-server';

/**
 * The request console at /api in Debian's Chromium, against the server as `npm start` runs
 * it: the generated document renders, "Authorize" takes a bearer token, and "Try it out" on
 * `GET /Patient/{id}` sends a real request whose answer the console shows.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const SCREENSHOTS = path.resolve(__dirname, '../../test-results/screenshots');

let server: ChildServer;
let browser: Browser;

beforeAll(async () => {
  server = await startChildServer();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

test('a user authorises with a token and reads a Patient from the console', async () => {
  const created = await server.checker.request
    .post('/fhir/Patient')
    .send({ resourceType: 'Patient', name: [{ family: 'Console', given: ['Ada'] }] })
    .expect(201);
  const patientId = (created.body as { id: string }).id;
  const token = await server.checker.mintToken({ client_id: 'console-test', sub: 'console-test', scope: 'system/Patient.read' });

  const page = await (await browser.newContext()).newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(error.message));
  // Deep linking opens the Patient section with the read operation expanded.
  await page.goto(`${server.origin}/api#/Patient/get_Patient__id_`);
  const read = page.locator('#operations-Patient-get_Patient__id_');
  await read.locator('.try-out__btn').click();
  await read.locator('input[placeholder="id"]').fill(patientId);
  await read.locator('.execute').click();
  // Without a token the server answers 401 with an OperationOutcome, and the console shows it.
  await expectStatus(read, '401');

  await page.locator('.auth-wrapper .authorize').click();
  await page.locator('.auth-container input').first().fill(token);
  await page.locator('.auth-btn-wrapper .authorize').click();
  await page.locator('.auth-btn-wrapper .btn-done').click();
  // The console lists ~150 resource types (rendered lazily); its filter finds one.
  await page.locator('.operation-filter-input').fill('Patient');
  await page.locator('#operations-tag-Patient[data-is-open="true"]').waitFor();
  await read.locator('.execute').click();
  await expectStatus(read, '200');
  const body = await read.locator('.live-responses-table .response-col_description .microlight').first().textContent();
  expect(JSON.parse(body ?? '{}')).toMatchObject({ resourceType: 'Patient', id: patientId, name: [{ family: 'Console' }] });

  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, 'api-console.png'), fullPage: false });
  expect(problems).toEqual([]);
});

async function expectStatus(operation: Locator, status: string): Promise<void> {
  const cell = operation.locator('.live-responses-table .response .response-col_status').first();
  await cell.filter({ hasText: status }).waitFor({ timeout: 30_000 });
}
