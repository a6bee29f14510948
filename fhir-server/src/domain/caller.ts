import type { AccessContext } from '../auth/access-context';

/** `Practitioner/<id>` when the caller is a doctor's user token, else undefined. */
export function callerPractitioner(access: AccessContext): string | undefined {
  const { principal } = access;
  return principal.kind === 'user' && principal.role === 'doctor' && principal.profile?.startsWith('Practitioner/')
    ? principal.profile
    : undefined;
}

/** `Patient/<id>` when the caller is a patient's user token, else undefined. */
export function callerPatient(access: AccessContext): string | undefined {
  const { principal } = access;
  return principal.kind === 'user' && principal.role === 'patient' && principal.profile?.startsWith('Patient/')
    ? principal.profile
    : undefined;
}
