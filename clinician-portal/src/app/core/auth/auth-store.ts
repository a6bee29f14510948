import { HttpErrorResponse } from '@angular/common/http';
import { computed, DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { FHIR_ENDPOINT } from '../fhir/fhir-endpoint';
import { outcomeMessage } from '../fhir/outcome-message';
import { AUTH_STORAGE, BASE_URI, LEAVE_APP } from './browser';
import { createPkcePair, randomToken } from './pkce';
import { SMART_APP } from './smart-app';
import { SmartClient, type TokenResponse } from './smart-client';

/** The signed-in user's access, kept in memory only. */
export interface Session {
  readonly accessToken: string;
  /** Epoch milliseconds at which the access token expires. */
  readonly expiresAt: number;
  readonly scope: string;
  /** The patient in launch context (a patient's own record). */
  readonly patient?: string;
  /** The user's own resource, relative: `Patient/123`, `Practitioner/456`; none for administrators. */
  readonly fhirUser?: string;
}

/**
 * What the app does when the user signs out, before the tokens are revoked: forget what it kept
 * for them on this device (a multi provider; none by default). Failures are ignored.
 */
export const ON_SIGN_OUT = new InjectionToken<readonly (() => Promise<void> | void)[]>('ON_SIGN_OUT');

/** A sign-in that failed; `message` is meant for the person signing in. */
export class AuthError extends Error {}

/** What the tab keeps between leaving for the authorization endpoint and coming back. */
interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  readonly redirectUri: string;
  readonly returnUrl: string;
}

/** Refresh this long before expiry (at most half the token's lifetime). */
const REFRESH_AHEAD_MS = 60_000;
/** An access token with less validity left than this is refreshed before use. */
const MIN_VALIDITY_MS = 10_000;
/** After a refresh failed for lack of network or a server fault, try again after this. */
const RETRY_MS = 15_000;

/**
 * SMART App Launch 2.x standalone launch as a public client with PKCE S256
 * (https://hl7.org/fhir/smart-app-launch/app-launch.html): the signed-in state as signals,
 * the access token in memory, the refresh token in sessionStorage so that a reload does not
 * sign the user out, and refreshes ahead of expiry so no work is lost to an expired token.
 */
@Injectable({ providedIn: 'root' })
export class AuthStore {
  private readonly app = inject(SMART_APP);
  private readonly endpoint = inject(FHIR_ENDPOINT);
  private readonly smart = inject(SmartClient);
  private readonly storage = inject(AUTH_STORAGE);
  private readonly leaveApp = inject(LEAVE_APP);
  private readonly baseUri = inject(BASE_URI);
  private readonly signOutHooks = inject(ON_SIGN_OUT, { optional: true }) ?? [];

  private readonly current = signal<Session | null>(null);
  private readonly ended = signal(false);
  private readonly failure = signal<string | undefined>(undefined);
  private refreshing: Promise<boolean> | null = null;
  /** Bumped by sign-out, so that a refresh still in flight cannot sign the user back in. */
  private generation = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  readonly session = this.current.asReadonly();
  readonly signedIn = computed(() => this.current() !== null);
  /** True once a session was lost (refresh refused); cleared by the next sign-in. */
  readonly sessionEnded = this.ended.asReadonly();
  /** Why the last sign-in failed, for the sign-in page (never taken from the URL). */
  readonly signInFailure = this.failure.asReadonly();
  readonly fhirUser = computed(() => this.current()?.fhirUser);
  readonly patientId = computed(() => this.current()?.patient);

  constructor() {
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
  }

  /** Leaves for the authorization endpoint; the app comes back at the redirect URI. */
  async signIn(returnUrl = '/'): Promise<void> {
    this.failure.set(undefined);
    const config = await this.smart.discover();
    const { verifier, challenge } = await createPkcePair();
    const pending: PendingSignIn = {
      state: randomToken(16),
      verifier,
      redirectUri: new URL(this.app.redirectPath, this.baseUri).href,
      returnUrl: internalUrl(returnUrl),
    };
    this.storage.setItem(this.key('pending'), JSON.stringify(pending));
    const url = new URL(config.authorization_endpoint);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: this.app.clientId,
      redirect_uri: pending.redirectUri,
      scope: this.app.scope,
      state: pending.state,
      aud: this.endpoint.audience,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    }).toString();
    this.leaveApp(url.href);
  }

  /**
   * Handles the redirect back (app-launch.html#response-5): checks `state`, exchanges the code
   * with the verifier, and returns the in-app URL to go back to. Throws AuthError.
   */
  async completeSignIn(callbackUrl: string): Promise<string> {
    try {
      return await this.finishSignIn(callbackUrl);
    } catch (error) {
      const failure = error instanceof AuthError ? error : new AuthError(outcomeMessage(error));
      this.failure.set(failure.message);
      throw failure;
    }
  }

  /** Signed in already, or signed in again from the tab's refresh token (after a reload). */
  async restore(): Promise<boolean> {
    if (this.current()) {
      return true;
    }
    return this.storage.getItem(this.key('refresh')) ? this.refresh() : false;
  }

  /** A usable access token, refreshed first when about to expire; undefined when signed out. */
  async accessToken(): Promise<string | undefined> {
    const session = this.current();
    if (!session) {
      return undefined;
    }
    if (session.expiresAt - Date.now() > MIN_VALIDITY_MS) {
      return session.accessToken;
    }
    // After a failure for lack of network the old token is still tried: the request then fails
    // with a message about the connection rather than about the session.
    await this.refresh();
    return this.current()?.accessToken;
  }

  /** The callback's checks and the code exchange; completeSignIn turns any failure into an AuthError. */
  private async finishSignIn(callbackUrl: string): Promise<string> {
    const params = new URL(callbackUrl).searchParams;
    const pending = this.takePending();
    if (!pending || params.get('state') !== pending.state) {
      throw new AuthError('This sign-in did not start in this browser tab, or was already used. Please sign in again.');
    }
    const error = params.get('error');
    if (error) {
      throw new AuthError(outcomeMessage({ error, error_description: params.get('error_description') ?? undefined }));
    }
    const code = params.get('code');
    if (!code) {
      throw new AuthError('The sign-in answer had no authorization code. Please sign in again.');
    }
    const config = await this.smart.discover();
    const tokens = await this.smart.exchangeCode(config, {
      code,
      redirectUri: pending.redirectUri,
      codeVerifier: pending.verifier,
      clientId: this.app.clientId,
    });
    this.accept(tokens);
    return pending.returnUrl;
  }

  /**
   * Trades the refresh token for new tokens. One refresh at a time: the server rotates refresh
   * tokens and treats a reused one as stolen, so concurrent callers share the same attempt.
   */
  refresh(): Promise<boolean> {
    this.refreshing ??= this.runRefresh().finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  /**
   * Forgets the tokens at once, runs the ON_SIGN_OUT work (also offline), then revokes the
   * tokens at the server (RFC 7009), best effort.
   */
  async signOut(): Promise<void> {
    const accessToken = this.current()?.accessToken;
    const refreshToken = this.storage.getItem(this.key('refresh'));
    this.generation++;
    this.clear();
    this.ended.set(false);
    await Promise.all(
      this.signOutHooks.map((hook) =>
        Promise.resolve()
          .then(hook)
          .catch(() => undefined),
      ),
    );
    try {
      const config = await this.smart.discover();
      await Promise.all(
        [refreshToken, accessToken]
          .filter((token): token is string => !!token)
          .map((token) => this.smart.revoke(config, token, this.app.clientId)),
      );
    } catch {
      // The server could not be told; the access token expires within minutes anyway.
    }
  }

  private async runRefresh(): Promise<boolean> {
    const refreshToken = this.storage.getItem(this.key('refresh'));
    if (!refreshToken) {
      this.end();
      return false;
    }
    const generation = this.generation;
    try {
      const config = await this.smart.discover();
      const tokens = await this.smart.refresh(config, refreshToken, this.app.clientId);
      if (generation !== this.generation) {
        return false;
      }
      this.accept(tokens);
      return true;
    } catch (error) {
      if (generation !== this.generation) {
        return false;
      }
      if (isTransient(error)) {
        // Offline or a server fault: keep the session and try again soon.
        this.schedule(RETRY_MS);
      } else {
        this.end();
      }
      return false;
    }
  }

  private accept(tokens: TokenResponse): void {
    const session: Session = {
      accessToken: tokens.access_token,
      expiresAt: Date.now() + tokens.expires_in * 1000,
      scope: tokens.scope,
      patient: tokens.patient,
      fhirUser: relativeReference(tokens.fhirUser),
    };
    if (tokens.refresh_token) {
      this.storage.setItem(this.key('refresh'), tokens.refresh_token);
    }
    this.current.set(session);
    this.ended.set(false);
    if (this.storage.getItem(this.key('refresh'))) {
      const lifetime = tokens.expires_in * 1000;
      this.schedule(lifetime - Math.min(REFRESH_AHEAD_MS, lifetime / 2));
    }
  }

  private end(): void {
    const hadSession = this.current() !== null;
    this.clear();
    this.ended.set(hadSession);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.current.set(null);
    this.storage.removeItem(this.key('refresh'));
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), Math.max(0, delayMs));
  }

  private takePending(): PendingSignIn | undefined {
    const raw = this.storage.getItem(this.key('pending'));
    this.storage.removeItem(this.key('pending'));
    try {
      return raw ? (JSON.parse(raw) as PendingSignIn) : undefined;
    } catch {
      return undefined;
    }
  }

  private key(name: string): string {
    return `medbuddy.${this.app.clientId}.${name}`;
  }
}

/** Only a path inside the app is a valid place to return to (no open redirect). */
function internalUrl(url: string): string {
  return url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\') ? url : '/';
}

/** `http://host/fhir/Practitioner/1` -> `Practitioner/1`. */
function relativeReference(url: string | undefined): string | undefined {
  return url?.split('/').slice(-2).join('/') || undefined;
}

function isTransient(error: unknown): boolean {
  return error instanceof HttpErrorResponse && (error.status === 0 || error.status >= 500);
}
