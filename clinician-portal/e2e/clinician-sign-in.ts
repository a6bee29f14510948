import type { Page } from 'playwright-core';
import { signInOnLoginPage } from './support/login-page';
import type { Account } from './support/medbuddy-server';

/**
 * Signs `account` in to the clinician portal as a person would: the portal's Sign in button,
 * the server's sign-in page (SMART standalone launch with PKCE), back to `landing`.
 */
export async function signInToClinician(page: Page, server: { readonly url: string }, account: Account, landing = 'home'): Promise<void> {
  await page.goto(`${server.url}/clinician/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  await signInOnLoginPage(page, account);
  await page.waitForURL(`${server.url}/clinician/${landing}`);
}
