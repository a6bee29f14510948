import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./appointments-page/appointments-page').then((m) => m.AppointmentsPage),
    title: 'Your appointments · MedBuddy',
  },
] satisfies Routes;
