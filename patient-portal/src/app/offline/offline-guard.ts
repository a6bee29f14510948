import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { AuthStore } from '../core/auth/auth-store';
import { OfflineStore } from './offline-store';

/**
 * The signed-in area's guard: signed in (after a reload, once the session is restored), or
 * offline with a patient's answers kept on this device (an expired token cannot be refreshed
 * without the network: the saved appointments and prescriptions are shown rather than the
 * sign-in page). Anyone else goes to sign in.
 */
export const signedInOrOfflineGuard: CanActivateFn = async (_route, state) => {
  // inject() only works before the first await.
  const auth = inject(AuthStore);
  const offline = inject(OfflineStore);
  const router = inject(Router);
  if ((await auth.restore()) || (await offline.showSavedIfUnreachable())) {
    return true;
  }
  return router.createUrlTree(['/sign-in'], { queryParams: { returnUrl: state.url } });
};
