import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./prescriptions-page/prescriptions-page').then((m) => m.PrescriptionsPage),
    title: 'Your prescriptions · MedBuddy',
  },
] satisfies Routes;
