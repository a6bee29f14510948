import { signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, UrlTree, type ActivatedRouteSnapshot, type RouterStateSnapshot } from '@angular/router';
import { AuthStore } from '../core/auth/auth-store';
import { doctorGuard } from './doctor-guard';

describe('doctorGuard', () => {
  function run(fhirUser: string | undefined): unknown {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), { provide: AuthStore, useValue: { fhirUser: signal(fhirUser) } }],
    });
    return TestBed.runInInjectionContext(() => doctorGuard({} as ActivatedRouteSnapshot, {} as RouterStateSnapshot));
  }

  it('lets a doctor in', () => {
    expect(run('Practitioner/d1')).toBe(true);
  });

  it('sends an administrator (no FHIR profile) home', () => {
    const result = run(undefined);
    expect(result).toBeInstanceOf(UrlTree);
    expect(TestBed.inject(Router).serializeUrl(result as UrlTree)).toBe('/home');
  });
});
