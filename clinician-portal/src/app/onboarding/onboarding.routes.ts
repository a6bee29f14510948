import type { Routes } from '@angular/router';
import { OnboardingStore } from './onboarding-store';

export default [
  {
    path: '',
    loadComponent: () => import('./onboarding-page/onboarding-page').then((m) => m.OnboardingPage),
    providers: [OnboardingStore],
    title: 'Your profile · MedBuddy',
  },
] satisfies Routes;
