import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, type ActivatedRouteSnapshot, type RouterStateSnapshot, type UrlTree } from '@angular/router';
import { AuthStore } from '../core/auth/auth-store';
import { signedInOrOfflineGuard } from './offline-guard';
import { OfflineStore } from './offline-store';

describe('signedInOrOfflineGuard', () => {
  function run(restored: boolean, unreachableWithSaved: boolean) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        { provide: AuthStore, useValue: { restore: async () => restored, patientId: signal(undefined) } },
        { provide: OfflineStore, useValue: { showSavedIfUnreachable: async () => unreachableWithSaved } },
      ],
    });
    return TestBed.runInInjectionContext(() =>
      signedInOrOfflineGuard({} as ActivatedRouteSnapshot, { url: '/appointments' } as RouterStateSnapshot),
    ) as Promise<boolean | UrlTree>;
  }

  it('lets a signed-in patient through', async () => {
    expect(await run(true, false)).toBe(true);
  });

  it('offline with saved answers shows them instead of the sign-in page (an expired token cannot be refreshed)', async () => {
    expect(await run(false, true)).toBe(true);
  });

  it('sends everyone else to sign in, coming back to the page asked for', async () => {
    const result = await run(false, false);
    expect(TestBed.inject(Router).serializeUrl(result as UrlTree)).toBe('/sign-in?returnUrl=%2Fappointments');
  });
});
