import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { AuthStore } from '../core/auth/auth-store';

/** The admin area is for administrators, who have no FHIR profile (`fhirUser`); the API refuses others too. */
export const adminGuard: CanActivateFn = () => {
  const auth = inject(AuthStore);
  return auth.fhirUser() === undefined ? true : inject(Router).createUrlTree(['/home']);
};
