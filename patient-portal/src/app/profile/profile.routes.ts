import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./profile-page/profile-page').then((m) => m.ProfilePage),
    title: 'Your profile · MedBuddy',
  },
] satisfies Routes;
