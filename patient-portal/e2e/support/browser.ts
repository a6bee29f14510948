import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';

/** Debian's Chromium (installed by .ci/run with apt-get); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium flags for a video call: a synthetic camera and microphone, allowed without a prompt. */
export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

export function launchChromium(extraArgs: readonly string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

export interface Viewport {
  readonly name: string;
  readonly options: BrowserContextOptions;
}

export const DESKTOP: Viewport = { name: 'desktop', options: { viewport: { width: 1280, height: 800 } } };
export const PHONE: Viewport = {
  name: 'phone',
  options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true },
};

/** Where screenshots and the server log go: `<portal>/test-results/e2e/`. */
export const OUTPUT_DIR = path.resolve(__dirname, '..', '..', 'test-results', 'e2e');

/** Saves a full-page screenshot for reviewers, named `<name>.png` in the output folder. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(OUTPUT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Collects what would show in the browser console as a problem: uncaught errors, console
 * errors (CSP violations among them) and failed requests. A test asserts it stays empty.
 */
export function watchForErrors(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') {
      problems.push(`console error: ${message.text()}`);
    }
  });
  page.on('requestfailed', (request) => {
    // ERR_ABORTED: the page navigated away while loading (e.g. the favicon), not a fault.
    if (request.failure()?.errorText !== 'net::ERR_ABORTED') {
      problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`);
    }
  });
  return problems;
}

/**
 * Runs one browser session: a fresh context (no cookies, no storage) with the viewport, a page
 * watched for errors, a `<name>-failure.png` screenshot when `work` fails, and the context
 * closed in any case. Fails when the page logged an error, even if `work` passed, unless the
 * error matches one of `expected` (a failure the test provokes on purpose).
 */
export async function withPage(
  browser: Browser,
  viewport: Viewport,
  name: string,
  work: (page: Page) => Promise<void>,
  expected: readonly RegExp[] = [],
): Promise<void> {
  const context = await browser.newContext(viewport.options);
  const page = await context.newPage();
  const problems = watchForErrors(page);
  try {
    await work(page);
  } catch (error) {
    await screenshot(page, `${name}-failure`).catch(() => undefined);
    throw error;
  } finally {
    await context.close();
  }
  const unexpected = problems.filter((problem) => !expected.some((pattern) => pattern.test(problem)));
  if (unexpected.length > 0) {
    throw new Error(`the page reported problems:\n${unexpected.join('\n')}`);
  }
}
