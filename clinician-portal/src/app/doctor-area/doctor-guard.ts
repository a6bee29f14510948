import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import { AuthStore } from '../core/auth/auth-store';

/** The doctor area is for users whose FHIR profile is a Practitioner; others go home. */
export const doctorGuard: CanActivateFn = () => {
  const fhirUser = inject(AuthStore).fhirUser();
  return fhirUser?.startsWith('Practitioner/') ? true : inject(Router).createUrlTree(['/home']);
};
