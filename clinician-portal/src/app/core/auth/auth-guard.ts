import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { AuthStore } from './auth-store';

/** Lets signed-in users through (after a reload, once the session is restored); others go to sign-in. */
export const authGuard: CanActivateFn = async (_route, state) => {
  // inject() only works before the first await.
  const auth = inject(AuthStore);
  const router = inject(Router);
  if (await auth.restore()) {
    return true;
  }
  return router.createUrlTree(['/sign-in'], { queryParams: { returnUrl: state.url } });
};
