import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { AuthStore } from '../core/auth/auth-store';
import { FHIR_ENDPOINT } from '../core/fhir/fhir-endpoint';
import { UsersStore, type AccountSummary } from './users-store';

const BASE = 'http://medbuddy.test/fhir';
const ACCOUNTS = 'http://medbuddy.test/admin/accounts';
const HOUSE: AccountSummary = {
  id: 'a1',
  email: 'house@example.org',
  role: 'doctor',
  profile: 'Practitioner/d1',
  emailVerified: false,
  disabled: false,
};
const settle = () => new Promise((resolve) => setTimeout(resolve));

describe('UsersStore', () => {
  function setUp() {
    TestBed.configureTestingModule({
      providers: [
        provideHttpClient(),
        provideHttpClientTesting(),
        UsersStore,
        { provide: FHIR_ENDPOINT, useValue: { baseUrl: BASE, audience: BASE } },
        { provide: AuthStore, useValue: { accessToken: () => Promise.resolve('admin-token') } },
      ],
    });
    return { store: TestBed.inject(UsersStore), http: TestBed.inject(HttpTestingController) };
  }

  async function found(store: UsersStore, http: HttpTestingController): Promise<void> {
    const searching = store.search(' house ', 'doctor');
    await settle();
    const request = http.expectOne((r) => r.url === ACCOUNTS);
    expect(request.request.params.get('email')).toBe('house');
    expect(request.request.params.get('role')).toBe('doctor');
    expect(request.request.headers.get('Authorization')).toBe('Bearer admin-token');
    request.flush({ accounts: [HOUSE] });
    await searching;
  }

  it('finds accounts with the bearer token', async () => {
    const { store, http } = setUp();
    await found(store, http);
    expect(store.accounts()).toEqual([HOUSE]);
  });

  it("disables an account and shows the server's answer in the row", async () => {
    const { store, http } = setUp();
    await found(store, http);
    const disabling = store.setDisabled(HOUSE, true);
    await settle();
    const request = http.expectOne(`${ACCOUNTS}/a1/disable`);
    expect(request.request.method).toBe('POST');
    request.flush({ ...HOUSE, disabled: true });
    await disabling;
    expect(store.accounts()[0]?.disabled).toBe(true);
    expect(store.message()).toBe('Account disabled.');
  });

  it("shows the server's refusal", async () => {
    const { store, http } = setUp();
    await found(store, http);
    const resending = store.resendVerification(HOUSE);
    await settle();
    http.expectOne(`${ACCOUNTS}/a1/resend-verification`).flush(
      {
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code: 'invalid', diagnostics: 'This account has already confirmed its e-mail address' }],
      },
      { status: 400, statusText: 'Bad Request' },
    );
    await resending;
    expect(store.error()).toBe('This account has already confirmed its e-mail address.');
    expect(store.message()).toBeUndefined();
  });
});
