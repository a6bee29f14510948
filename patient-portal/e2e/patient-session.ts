import type { Page } from 'playwright-core';
import { signInOnLoginPage } from './support/login-page';
import type { Account } from './support/medbuddy-server';

/** Signs in from the landing page through the server's login page; ends on `/patient/<landing>`. */
export async function signIn(page: Page, baseUrl: string, account: Account): Promise<void> {
  await page.goto(`${baseUrl}/patient/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === '/oauth2/authorize');
  await signInOnLoginPage(page, account);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** Opens a section from the main menu (a drawer behind the menu button on phones). */
export async function menu(page: Page, name: string): Promise<void> {
  const button = page.getByRole('button', { name: 'Open the menu' });
  if (await button.isVisible()) {
    await button.click();
  }
  await page.getByRole('navigation', { name: 'Main menu' }).getByRole('link', { name, exact: true }).click();
}
