import { HttpClient, HttpHeaders } from '@angular/common/http';
import { inject, Injectable, signal } from '@angular/core';
import { firstValueFrom } from 'rxjs';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { outcomeMessage } from '../core/fhir/outcome-message';

/** An account as `/admin/accounts` describes it. */
export interface AccountSummary {
  readonly id: string;
  readonly email: string;
  readonly role: 'patient' | 'doctor' | 'admin';
  readonly profile: string | null;
  readonly emailVerified: boolean;
  readonly disabled: boolean;
}

export type AccountRole = AccountSummary['role'] | '';

/**
 * The administrators' user management over the server's `/admin/accounts` API (not FHIR, so
 * the bearer token is added here: the interceptor adds it to FHIR requests only).
 */
@Injectable()
export class UsersStore {
  private readonly http = inject(HttpClient);
  private readonly auth = inject(AuthStore);
  private readonly base = new URL('/admin/accounts', inject(FHIR_ENDPOINT).baseUrl).href;
  private readonly found = signal<readonly AccountSummary[]>([]);
  private readonly busy = signal(false);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly notice = signal<string | undefined>(undefined);
  private readonly searched = signal(false);

  readonly accounts = this.found.asReadonly();
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  readonly message = this.notice.asReadonly();
  readonly hasSearched = this.searched.asReadonly();

  async search(email: string, role: AccountRole): Promise<void> {
    this.busy.set(true);
    this.failure.set(undefined);
    this.notice.set(undefined);
    try {
      const params: Record<string, string> = { email: email.trim(), ...(role ? { role } : {}) };
      const answer = await firstValueFrom(
        this.http.get<{ accounts: AccountSummary[] }>(this.base, { params, headers: await this.headers() }),
      );
      this.found.set(answer.accounts);
      this.searched.set(true);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Disables or re-enables an account; the row shows the server's answer. */
  async setDisabled(account: AccountSummary, disabled: boolean): Promise<void> {
    await this.act(account, disabled ? 'disable' : 'enable', disabled ? 'Account disabled.' : 'Account enabled.', (updated) =>
      this.found.update((accounts) => accounts.map((a) => (a.id === account.id ? (updated as AccountSummary) : a))),
    );
  }

  async resendVerification(account: AccountSummary): Promise<void> {
    await this.act(account, 'resend-verification', `Verification e-mail sent to ${account.email}.`);
  }

  private async act(account: AccountSummary, action: string, done: string, apply?: (answer: unknown) => void): Promise<void> {
    this.failure.set(undefined);
    this.notice.set(undefined);
    try {
      const url = `${this.base}/${encodeURIComponent(account.id)}/${action}`;
      const answer = await firstValueFrom(this.http.post<unknown>(url, null, { headers: await this.headers() }));
      apply?.(answer);
      this.notice.set(done);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
    }
  }

  private async headers(): Promise<HttpHeaders> {
    const token = await this.auth.accessToken();
    return new HttpHeaders(token ? { Authorization: `Bearer ${token}` } : {});
  }
}
