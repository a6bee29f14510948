import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Resource } from '@medplum/fhirtypes';
import { isWeakPassword, MIN_PASSWORD_LENGTH } from '../../auth/password-policy';
import type { Role } from '../../auth/principal';
import type { AccountRow, AccountStore } from '../../storage/account-store';
import type { FhirRepository } from '../../storage/fhir-repository';
import type { Mailer } from '../notifications/mailer';
import { AccountError } from './account-errors';
import { hashPassword, verifyPassword } from './passwords';
import type { RevocationList } from './revocation-list';

/** Failed logins before an account is locked, and for how long (brute-force protection). */
export const MAX_FAILED_LOGINS = 5;
export const LOCK_MINUTES = 15;
const VERIFY_EMAIL_HOURS = 48;
const RESET_PASSWORD_MINUTES = 60;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}\.[^\s@]{1,63}$/;

export interface Registration {
  readonly email: string;
  readonly password: string;
  readonly role: 'patient' | 'doctor';
  readonly givenName?: string;
  readonly familyName?: string;
}

export interface AccountServiceOptions {
  /** Public URL of the server, for links in e-mails. */
  readonly publicUrl: string;
}

/**
 * Registration, login, e-mail verification and password reset. A patient account is linked to
 * a new Patient, a doctor account to a new inactive Practitioner (not listed until an
 * administrator verifies it). Single-use tokens are random 256-bit values stored as SHA-256.
 */
export class AccountService {
  constructor(
    private readonly store: AccountStore,
    /** Repository with full access: the server itself creates the profile resources. */
    private readonly repo: FhirRepository,
    private readonly mailer: Mailer,
    private readonly revocations: RevocationList,
    private readonly options: AccountServiceOptions,
  ) {}

  /** Always ends the same way whether or not the e-mail had an account (no enumeration). */
  async register(registration: Registration): Promise<void> {
    const email = normalizeEmail(registration.email);
    requireStrongPassword(registration.password);
    if (!['patient', 'doctor'].includes(registration.role)) {
      throw new AccountError('invalid-input', 'role must be patient or doctor');
    }
    const existing = await this.store.findAccountByEmail(email);
    if (existing) {
      await this.mailer.send({
        to: email,
        subject: 'MedBuddy: someone tried to register with your address',
        text:
          'Somebody tried to create a MedBuddy account with this e-mail address, which already has one.\n' +
          `If it was you, sign in or reset your password at ${this.options.publicUrl}/auth/forgot-password.\n`,
      });
      return;
    }
    const accountId = randomUUID();
    const passwordHash = await hashPassword(registration.password);
    const name = [{ given: registration.givenName ? [registration.givenName] : undefined, family: registration.familyName }];
    const profile =
      registration.role === 'patient'
        ? await this.createProfile({ resourceType: 'Patient', name, telecom: [{ system: 'email', value: email }] })
        : await this.createProfile({ resourceType: 'Practitioner', active: false, name, telecom: [{ system: 'email', value: email }] });
    const inserted = await this.store.insertAccount({ id: accountId, email, passwordHash, role: registration.role, profile });
    if (!inserted) {
      return; // a concurrent registration of the same address won
    }
    await this.sendVerification(accountId, email);
  }

  /** An administrator with a verified address (CLI and first start). Idempotent on the e-mail. */
  async createAdmin(emailInput: string, password: string): Promise<{ created: boolean }> {
    const email = normalizeEmail(emailInput);
    requireStrongPassword(password);
    const created = await this.store.insertAccount({
      id: randomUUID(),
      email,
      passwordHash: await hashPassword(password),
      role: 'admin',
      emailVerified: true,
    });
    return { created };
  }

  /**
   * The account for these credentials, or a generic refusal. Every refusal looks alike and
   * costs one argon2 verification; from MAX_FAILED_LOGINS failures on, the account is locked
   * for LOCK_MINUTES even for the right password.
   */
  async login(emailInput: string, password: string): Promise<AccountRow> {
    const email = typeof emailInput === 'string' ? emailInput.trim().toLowerCase() : '';
    const account = EMAIL.test(email) ? await this.store.findAccountByEmail(email) : undefined;
    const valid = await verifyPassword(account?.passwordHash, typeof password === 'string' ? password : '');
    if (!account) {
      throw invalidCredentials();
    }
    if (account.lockedUntil && account.lockedUntil.getTime() > Date.now()) {
      throw invalidCredentials();
    }
    if (!valid) {
      await this.store.recordFailedLogin(account.id, MAX_FAILED_LOGINS, new Date(Date.now() + LOCK_MINUTES * 60_000));
      throw invalidCredentials();
    }
    if (account.disabledAt) {
      throw new AccountError('access-denied', 'This account is disabled. Please contact the MedBuddy team.');
    }
    if (!account.emailVerified) {
      throw new AccountError('email-not-verified', 'Please verify your e-mail address first; we sent you a link.');
    }
    await this.store.recordSuccessfulLogin(account.id);
    return account;
  }

  async verifyEmail(token: string): Promise<void> {
    const accountId = await this.store.consumeAccountToken(hashToken(token), 'verify-email');
    if (!accountId) {
      throw new AccountError('invalid-token', 'This verification link is invalid, used or expired.');
    }
    await this.store.markEmailVerified(accountId);
  }

  /** Sends a reset link if the address has an account; the caller learns nothing either way. */
  async forgotPassword(emailInput: string): Promise<void> {
    const email = typeof emailInput === 'string' ? emailInput.trim().toLowerCase() : '';
    const account = EMAIL.test(email) ? await this.store.findAccountByEmail(email) : undefined;
    if (!account) {
      return;
    }
    const token = await this.newAccountToken(account.id, 'reset-password', RESET_PASSWORD_MINUTES * 60_000);
    await this.mailer.send({
      to: account.email,
      subject: 'MedBuddy: reset your password',
      text:
        `Use this link within ${RESET_PASSWORD_MINUTES} minutes to choose a new password:\n` +
        `${this.options.publicUrl}/auth/reset-password?token=${token}\n\nIf you did not ask for it, ignore this message.\n`,
    });
  }

  /** Sets a new password with a single-use reset token; every session of the account ends. */
  async resetPassword(token: string, password: string): Promise<void> {
    requireStrongPassword(password);
    const accountId = await this.store.consumeAccountToken(hashToken(token), 'reset-password');
    if (!accountId) {
      throw new AccountError('invalid-token', 'This reset link is invalid, used or expired.');
    }
    await this.store.setPassword(accountId, await hashPassword(password));
    await this.store.markEmailVerified(accountId);
    await this.store.revokeAllRefreshTokens(accountId);
  }

  /**
   * A reset link for a new administrator with no usable password: the first-start
   * bootstrap when no ADMIN_EMAIL/ADMIN_PASSWORD is configured.
   */
  async bootstrapAdminLink(email: string): Promise<string> {
    const id = randomUUID();
    await this.store.insertAccount({
      id,
      email: normalizeEmail(email),
      passwordHash: await hashPassword(randomBytes(32).toString('base64url')),
      role: 'admin',
      emailVerified: true,
    });
    const token = await this.newAccountToken(id, 'reset-password', 24 * 60 * 60_000);
    return `${this.options.publicUrl}/auth/reset-password?token=${token}`;
  }

  /** Accounts for the administrators' user search: e-mail contains `query`, at most `limit`. */
  findAccounts(query: string, role: Role | undefined, limit: number): Promise<AccountRow[]> {
    return this.store.findAccounts(query.trim().toLowerCase(), role, limit);
  }

  /**
   * Disables or re-enables an account. Disabling ends its sessions: sign-in is refused, every
   * refresh token revoked and the access tokens already issued refused (on other instances
   * within the revocation list's reload interval).
   */
  async setDisabled(accountId: string, disabled: boolean): Promise<AccountRow | undefined> {
    if (!(await this.store.setDisabled(accountId, disabled ? new Date() : null))) {
      return undefined;
    }
    this.revocations.setAccountDisabled(accountId, disabled);
    if (disabled) {
      await this.store.revokeAllRefreshTokens(accountId);
    }
    return this.store.findAccount(accountId);
  }

  /** A new verification e-mail for an account whose address is not confirmed yet; false when already confirmed. */
  async resendVerification(accountId: string): Promise<boolean | undefined> {
    const account = await this.store.findAccount(accountId);
    if (!account) {
      return undefined;
    }
    if (account.emailVerified) {
      return false;
    }
    await this.sendVerification(account.id, account.email);
    return true;
  }

  private async sendVerification(accountId: string, email: string): Promise<void> {
    const token = await this.newAccountToken(accountId, 'verify-email', VERIFY_EMAIL_HOURS * 3_600_000);
    await this.mailer.send({
      to: email,
      subject: 'MedBuddy: confirm your e-mail address',
      text: `Welcome to MedBuddy. Confirm your address with this link:\n${this.options.publicUrl}/auth/verify-email?token=${token}\n`,
    });
  }

  private async newAccountToken(accountId: string, purpose: 'verify-email' | 'reset-password', ms: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.store.insertAccountToken(hashToken(token), accountId, purpose, new Date(Date.now() + ms));
    return token;
  }

  private async createProfile(resource: Resource): Promise<string> {
    const id = randomUUID();
    const lastUpdated = new Date().toISOString();
    await this.repo.writeVersion({
      resource: { ...resource, id, meta: { versionId: '1', lastUpdated } },
      versionId: 1,
      lastUpdated,
      method: 'POST',
      deleted: false,
    });
    return `${resource.resourceType}/${id}`;
  }
}

/** SHA-256 of a bearer secret (codes, refresh and e-mail tokens): what the database keeps. */
export function hashToken(token: string): string {
  return createHash('sha256').update(String(token)).digest('base64url');
}

function normalizeEmail(email: unknown): string {
  const normalized = typeof email === 'string' ? email.trim().toLowerCase() : '';
  if (!EMAIL.test(normalized)) {
    throw new AccountError('invalid-input', 'A valid e-mail address is required');
  }
  return normalized;
}

function requireStrongPassword(password: unknown): void {
  if (typeof password !== 'string' || password.length > 1024) {
    throw new AccountError('invalid-input', 'A password is required');
  }
  if (isWeakPassword(password)) {
    throw new AccountError('weak-password', `The password must have at least ${MIN_PASSWORD_LENGTH} characters and not be a common one`);
  }
}

function invalidCredentials(): AccountError {
  return new AccountError('invalid-credentials', 'The e-mail address or password is wrong, or the account is temporarily locked.');
}

export type { Role };
