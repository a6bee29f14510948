import type { Routes } from '@angular/router';
import { authGuard } from './core/auth/auth-guard';
import { Shell } from './core/shell/shell';

/** Feature areas load lazily under the signed-in shell: add `{ path, loadChildren }` to its children. */
export const routes: Routes = [
  {
    path: 'sign-in',
    loadComponent: () => import('./core/auth/sign-in-page/sign-in-page').then((m) => m.SignInPage),
    title: 'Sign in · MedBuddy',
  },
  {
    path: 'callback',
    loadComponent: () => import('./core/auth/callback-page/callback-page').then((m) => m.CallbackPage),
    title: 'Signing in · MedBuddy',
  },
  {
    path: 'sign-up',
    loadComponent: () => import('./sign-up/sign-up-page/sign-up-page').then((m) => m.SignUpPage),
    title: 'Join as a doctor · MedBuddy',
  },
  {
    path: '',
    component: Shell,
    canActivate: [authGuard],
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'home' },
      { path: 'home', loadChildren: () => import('./home/home.routes') },
      { path: 'today', loadChildren: () => import('./today/today.routes') },
      { path: 'availability', loadChildren: () => import('./availability/availability.routes') },
      { path: 'calendar', loadChildren: () => import('./calendar/calendar.routes') },
      { path: 'patients', loadChildren: () => import('./patients/patients.routes') },
      { path: 'consultations', loadChildren: () => import('./consultation/consultation.routes') },
      { path: 'admin', loadChildren: () => import('./admin/admin.routes') },
      { path: 'onboarding', loadChildren: () => import('./onboarding/onboarding.routes') },
      { path: 'patients', loadChildren: () => import('./patients/patients.routes') },
      { path: 'reviews', loadChildren: () => import('./reviews/reviews.routes') },
    ],
  },
  { path: '**', redirectTo: '' },
];
