import type { Routes } from '@angular/router';
import { CredentialsStore } from './credentials-store';
import { OnboardingStore } from './onboarding-store';

export default [
  {
    path: '',
    loadComponent: () => import('./onboarding-page/onboarding-page').then((m) => m.OnboardingPage),
    providers: [OnboardingStore, CredentialsStore],
    title: 'Your profile · MedBuddy',
  },
] satisfies Routes;
