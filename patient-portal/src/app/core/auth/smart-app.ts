import { InjectionToken } from '@angular/core';

/** How this portal is registered with the server's OAuth2 authorization server. */
export interface SmartApp {
  /** The registered public client id (`patient-portal`, `clinician-portal`). */
  readonly clientId: string;
  /** The scopes asked for (SMART App Launch 2.x scopes-and-launch-context). */
  readonly scope: string;
  /** Route of the redirect URI, relative to the base href (registered as a prefix by the server). */
  readonly redirectPath: string;
}

export const SMART_APP = new InjectionToken<SmartApp>('SMART_APP');
