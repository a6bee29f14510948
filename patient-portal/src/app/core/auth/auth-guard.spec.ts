import { TestBed } from '@angular/core/testing';
import { Router, UrlTree, type ActivatedRouteSnapshot, type RouterStateSnapshot } from '@angular/router';
import { authGuard } from './auth-guard';
import { AuthStore } from './auth-store';

describe('authGuard', () => {
  function runGuard(restored: boolean, url: string) {
    TestBed.configureTestingModule({ providers: [{ provide: AuthStore, useValue: { restore: () => Promise.resolve(restored) } }] });
    return TestBed.runInInjectionContext(() => authGuard({} as ActivatedRouteSnapshot, { url } as RouterStateSnapshot));
  }

  it('lets a signed-in (or restored) user through', async () => {
    expect(await runGuard(true, '/home')).toBe(true);
  });

  it('sends anyone else to sign-in, remembering where they were going', async () => {
    const result = await runGuard(false, '/appointments/42?tab=notes');
    expect(result).toBeInstanceOf(UrlTree);
    expect(TestBed.inject(Router).serializeUrl(result as UrlTree)).toBe('/sign-in?returnUrl=%2Fappointments%2F42%3Ftab%3Dnotes');
  });
});
