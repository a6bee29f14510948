import type { Page } from 'playwright-core';
import type { Account } from './medbuddy-server';

/** Fills in and submits the server's sign-in page (/oauth2/authorize), as a person would. */
export async function signInOnLoginPage(page: Page, account: Account): Promise<void> {
  await page.getByLabel('E-mail').fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(account.password);
  await page.getByRole('button', { name: 'Sign in and allow' }).click();
}
