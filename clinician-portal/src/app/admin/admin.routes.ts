import type { Routes } from '@angular/router';
import { adminGuard } from './admin-guard';
import { VerificationStore } from './verification-store';

export default [
  { path: '', pathMatch: 'full', redirectTo: 'verification' },
  {
    path: 'verification',
    canActivate: [adminGuard],
    loadComponent: () => import('./verification-page/verification-page').then((m) => m.VerificationPage),
    providers: [VerificationStore],
    title: 'Verification · MedBuddy',
  },
] satisfies Routes;
