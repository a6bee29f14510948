import { HttpTestingController } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { authTestProviders, DISCOVERY_URL, memoryStorage, SMART_CONFIGURATION, tokenResponse } from './auth-testing';
import { AuthError, AuthStore, ON_SIGN_OUT } from './auth-store';
import { codeChallengeFor } from './pkce';

const TOKEN_URL = SMART_CONFIGURATION.token_endpoint;
const REVOKE_URL = SMART_CONFIGURATION.revocation_endpoint as string;

describe('AuthStore (SMART App Launch standalone, public client with PKCE)', () => {
  let storage: Storage;
  let leftTo: string[];
  let http: HttpTestingController;
  let auth: AuthStore;

  beforeEach(() => {
    storage = memoryStorage();
    leftTo = [];
    TestBed.configureTestingModule({ providers: authTestProviders(storage, leftTo) });
    http = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthStore);
  });

  afterEach(() => {
    http.verify();
    vi.useRealTimers();
  });

  /** Lets pending promise continuations run (HTTP answers are delivered synchronously). */
  const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

  async function answerDiscovery(): Promise<void> {
    await settle();
    http.expectOne(DISCOVERY_URL).flush(SMART_CONFIGURATION);
    await settle();
  }

  /** Runs the whole sign-in: authorize redirect, callback, code exchange. Returns the authorize URL. */
  async function signIn(tokens = tokenResponse()): Promise<URL> {
    const started = auth.signIn('/appointments?tab=past');
    await answerDiscovery();
    await started;
    const authorize = new URL(leftTo[leftTo.length - 1]);
    const callback = `http://portal.test/portal/callback?code=the-code&state=${authorize.searchParams.get('state')}`;
    const completed = auth.completeSignIn(callback);
    await settle();
    http.expectOne(TOKEN_URL).flush(tokens);
    expect(await completed).toBe('/appointments?tab=past');
    return authorize;
  }

  it('sends the user to the authorization endpoint with every parameter app-launch.html#request-4 requires', async () => {
    const started = auth.signIn('/home');
    await answerDiscovery();
    await started;
    expect(leftTo).toHaveLength(1);
    const url = new URL(leftTo[0]);
    expect(url.origin + url.pathname).toBe(SMART_CONFIGURATION.authorization_endpoint);
    const params = url.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('test-portal');
    expect(params.get('redirect_uri')).toBe('http://portal.test/portal/callback');
    expect(params.get('scope')).toBe('openid fhirUser launch/patient online_access patient/*.cruds');
    expect(params.get('aud')).toBe('http://medbuddy.test/fhir');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const pending = JSON.parse(storage.getItem('medbuddy.test-portal.pending') as string) as { verifier: string; state: string };
    expect(pending.state).toBe(params.get('state'));
    expect(params.get('code_challenge')).toBe(await codeChallengeFor(pending.verifier));
  });

  it('exchanges the code with the verifier, keeps the access token in memory and the refresh token in sessionStorage', async () => {
    const started = auth.signIn('/home');
    await answerDiscovery();
    await started;
    const authorize = new URL(leftTo[0]);
    const verifier = (JSON.parse(storage.getItem('medbuddy.test-portal.pending') as string) as { verifier: string }).verifier;
    const completed = auth.completeSignIn(`http://portal.test/portal/callback?code=abc&state=${authorize.searchParams.get('state')}`);
    await settle();
    const request = http.expectOne(TOKEN_URL);
    expect(request.request.method).toBe('POST');
    expect(request.request.headers.get('Content-Type')).toBe('application/x-www-form-urlencoded');
    expect(request.request.headers.has('Authorization')).toBe(false);
    expect(Object.fromEntries(new URLSearchParams(request.request.body as string))).toEqual({
      grant_type: 'authorization_code',
      code: 'abc',
      redirect_uri: 'http://portal.test/portal/callback',
      code_verifier: verifier,
      client_id: 'test-portal',
    });
    request.flush(tokenResponse());
    expect(await completed).toBe('/home');
    expect(auth.signedIn()).toBe(true);
    expect(auth.session()?.accessToken).toBe('access-1');
    expect(auth.patientId()).toBe('p1');
    expect(auth.fhirUser()).toBe('Patient/p1');
    expect(storage.getItem('medbuddy.test-portal.refresh')).toBe('refresh-1');
    expect(storage.getItem('medbuddy.test-portal.pending')).toBeNull();
    expect(JSON.stringify(storage)).not.toContain('access-1');
  });

  it('refuses a callback whose state does not match, and a replayed callback (CSRF, app-launch.html#response-5)', async () => {
    const started = auth.signIn('/home');
    await answerDiscovery();
    await started;
    await expect(auth.completeSignIn('http://portal.test/portal/callback?code=abc&state=forged')).rejects.toBeInstanceOf(AuthError);
    // The pending sign-in is spent even by a failed attempt.
    await expect(auth.completeSignIn('http://portal.test/portal/callback?code=abc&state=forged')).rejects.toThrow(
      /did not start in this browser tab/,
    );
    expect(auth.signedIn()).toBe(false);
  });

  it('turns an authorization error redirect into a readable message (RFC 6749 4.1.2.1)', async () => {
    const started = auth.signIn('/home');
    await answerDiscovery();
    await started;
    const state = new URL(leftTo[0]).searchParams.get('state');
    await expect(auth.completeSignIn(`http://portal.test/portal/callback?error=access_denied&state=${state}`)).rejects.toThrow(
      'Sign-in was cancelled.',
    );
    expect(auth.signInFailure()).toBe('Sign-in was cancelled.');
  });

  it('reports a refused code exchange with the server words', async () => {
    const started = auth.signIn('/home');
    await answerDiscovery();
    await started;
    const state = new URL(leftTo[0]).searchParams.get('state');
    const completed = auth.completeSignIn(`http://portal.test/portal/callback?code=old&state=${state}`);
    await settle();
    http
      .expectOne(TOKEN_URL)
      .flush({ error: 'invalid_grant', error_description: 'The code was already used' }, { status: 400, statusText: 'Bad Request' });
    await expect(completed).rejects.toThrow('The code was already used.');
    expect(auth.signInFailure()).toBe('The code was already used.');
    expect(auth.signedIn()).toBe(false);
  });

  it('only returns to paths inside the app (no open redirect)', async () => {
    const started = auth.signIn('https://evil.example/phish');
    await answerDiscovery();
    await started;
    const pending = JSON.parse(storage.getItem('medbuddy.test-portal.pending') as string) as { returnUrl: string };
    expect(pending.returnUrl).toBe('/');
  });

  it('refuses a server without PKCE S256 before leaving the app', async () => {
    const started = auth.signIn('/home');
    await settle();
    http.expectOne(DISCOVERY_URL).flush({ ...SMART_CONFIGURATION, code_challenge_methods_supported: ['plain'] });
    await expect(started).rejects.toThrow(/PKCE/);
    expect(leftTo).toEqual([]);
  });

  it('refreshes ahead of expiry, once for concurrent callers, with the rotated refresh token (RFC 6749 section 6)', async () => {
    await signIn(tokenResponse({ expires_in: 900 }));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    vi.setSystemTime(Date.now() + 895_000);
    const first = auth.accessToken();
    const second = auth.accessToken();
    await vi.advanceTimersByTimeAsync(0);
    const request = http.expectOne(TOKEN_URL);
    expect(Object.fromEntries(new URLSearchParams(request.request.body as string))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'refresh-1',
      client_id: 'test-portal',
    });
    request.flush(tokenResponse({ access_token: 'access-2', refresh_token: 'refresh-2' }));
    expect(await first).toBe('access-2');
    expect(await second).toBe('access-2');
    expect(storage.getItem('medbuddy.test-portal.refresh')).toBe('refresh-2');
  });

  it('refreshes by itself a minute before the access token expires', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const started = auth.signIn('/');
    await vi.advanceTimersByTimeAsync(0);
    http.expectOne(DISCOVERY_URL).flush(SMART_CONFIGURATION);
    await vi.advanceTimersByTimeAsync(0);
    await started;
    const state = new URL(leftTo[0]).searchParams.get('state');
    const completed = auth.completeSignIn(`http://portal.test/portal/callback?code=c&state=${state}`);
    await vi.advanceTimersByTimeAsync(0);
    http.expectOne(TOKEN_URL).flush(tokenResponse({ expires_in: 900 }));
    await completed;
    await vi.advanceTimersByTimeAsync(839_000);
    http.expectNone(TOKEN_URL);
    await vi.advanceTimersByTimeAsync(1_000);
    http.expectOne(TOKEN_URL).flush(tokenResponse({ access_token: 'access-2', refresh_token: 'refresh-2' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(auth.session()?.accessToken).toBe('access-2');
  });

  it('restores the session from the tab refresh token after a reload', async () => {
    storage.setItem('medbuddy.test-portal.refresh', 'refresh-from-before');
    const restored = auth.restore();
    await answerDiscovery();
    const request = http.expectOne(TOKEN_URL);
    expect(new URLSearchParams(request.request.body as string).get('refresh_token')).toBe('refresh-from-before');
    request.flush(tokenResponse({ access_token: 'access-9' }));
    expect(await restored).toBe(true);
    expect(auth.session()?.accessToken).toBe('access-9');
    expect(await auth.restore()).toBe(true);
  });

  it('ends the session when the refresh token is refused, and says so', async () => {
    await signIn();
    const refreshed = auth.refresh();
    await settle();
    http.expectOne(TOKEN_URL).flush({ error: 'invalid_grant' }, { status: 400, statusText: 'Bad Request' });
    expect(await refreshed).toBe(false);
    expect(auth.signedIn()).toBe(false);
    expect(auth.sessionEnded()).toBe(true);
    expect(storage.getItem('medbuddy.test-portal.refresh')).toBeNull();
  });

  it('keeps the session when a refresh fails for lack of network, and tries again later', async () => {
    await signIn();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const refreshed = auth.refresh();
    await vi.advanceTimersByTimeAsync(0);
    http.expectOne(TOKEN_URL).error(new ProgressEvent('error'), { status: 0 });
    expect(await refreshed).toBe(false);
    expect(auth.signedIn()).toBe(true);
    await vi.advanceTimersByTimeAsync(15_000);
    http.expectOne(TOKEN_URL).flush(tokenResponse({ access_token: 'access-3' }));
    await vi.advanceTimersByTimeAsync(0);
    expect(auth.session()?.accessToken).toBe('access-3');
  });

  it('signs out at once and revokes both tokens (RFC 7009)', async () => {
    await signIn();
    const signedOut = auth.signOut();
    expect(auth.signedIn()).toBe(false);
    expect(storage.getItem('medbuddy.test-portal.refresh')).toBeNull();
    await settle();
    const revocations = http.match(REVOKE_URL);
    expect(revocations.map((r) => new URLSearchParams(r.request.body as string).get('token')).sort()).toEqual(['access-1', 'refresh-1']);
    expect(revocations.every((r) => new URLSearchParams(r.request.body as string).get('client_id') === 'test-portal')).toBe(true);
    revocations.forEach((r) => r.flush({}));
    await signedOut;
    expect(auth.sessionEnded()).toBe(false);
  });

  it('a refresh still in flight when the user signs out does not sign them back in', async () => {
    await signIn();
    const refreshed = auth.refresh();
    await settle();
    const request = http.expectOne(TOKEN_URL);
    const signedOut = auth.signOut();
    request.flush(tokenResponse({ access_token: 'late', refresh_token: 'late-refresh' }));
    expect(await refreshed).toBe(false);
    await settle();
    http.match(REVOKE_URL).forEach((r) => r.flush({}));
    await signedOut;
    expect(auth.signedIn()).toBe(false);
    expect(storage.getItem('medbuddy.test-portal.refresh')).toBeNull();
  });

  it('restore() is false without any token, without calling the server', async () => {
    expect(await auth.restore()).toBe(false);
    expect(await auth.accessToken()).toBeUndefined();
  });

  it('runs the ON_SIGN_OUT work before revoking, signed in or not', async () => {
    const forgotten: string[] = [];
    TestBed.resetTestingModule();
    TestBed.configureTestingModule({
      providers: [
        ...authTestProviders(storage, leftTo),
        { provide: ON_SIGN_OUT, multi: true, useValue: () => void forgotten.push('saved data') },
        { provide: ON_SIGN_OUT, multi: true, useValue: () => Promise.reject(new Error('ignored')) },
      ],
    });
    http = TestBed.inject(HttpTestingController);
    auth = TestBed.inject(AuthStore);
    const signedOut = auth.signOut();
    await settle();
    expect(forgotten).toEqual(['saved data']);
    http.match(DISCOVERY_URL).forEach((r) => r.flush(SMART_CONFIGURATION));
    await signedOut;
    expect(auth.signedIn()).toBe(false);
  });
});
