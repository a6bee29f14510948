import type { Routes } from '@angular/router';
import { Shell } from './core/shell/shell';
import { signedInOrOfflineGuard } from './offline/offline-guard';

/** Feature areas load lazily under the signed-in shell: add `{ path, loadChildren }` to its children. */
export const routes: Routes = [
  {
    path: 'sign-in',
    loadComponent: () => import('./core/auth/sign-in-page/sign-in-page').then((m) => m.SignInPage),
    title: 'Sign in · MedBuddy',
  },
  {
    path: 'sign-up',
    loadComponent: () => import('./account/sign-up-page/sign-up-page').then((m) => m.SignUpPage),
    title: 'Create your account · MedBuddy',
  },
  {
    path: 'forgot-password',
    loadComponent: () => import('./account/forgot-password-page/forgot-password-page').then((m) => m.ForgotPasswordPage),
    title: 'Forgot your password · MedBuddy',
  },
  {
    path: 'callback',
    loadComponent: () => import('./core/auth/callback-page/callback-page').then((m) => m.CallbackPage),
    title: 'Signing in · MedBuddy',
  },
  {
    path: '',
    component: Shell,
    canActivate: [signedInOrOfflineGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'home' },
      { path: 'home', loadChildren: () => import('./home/home.routes') },
      { path: 'profile', loadChildren: () => import('./profile/profile.routes') },
      { path: 'doctors', loadChildren: () => import('./doctors/doctors.routes') },
      { path: 'appointments', loadChildren: () => import('./appointments/appointments.routes') },
      // Medical records
      { path: 'follow-ups', loadChildren: () => import('./follow-ups/follow-ups.routes') },
      { path: 'history', loadChildren: () => import('./history/history.routes') },
      { path: 'prescriptions', loadChildren: () => import('./prescriptions/prescriptions.routes') },
      { path: 'reports', loadChildren: () => import('./reports/reports.routes') },
      { path: 'reviews', loadChildren: () => import('./reviews/reviews.routes') },
    ],
  },
  { path: '**', redirectTo: '' },
];
