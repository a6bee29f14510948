import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./appointments-page/appointments-page').then((m) => m.AppointmentsPage),
    title: 'Your appointments · MedBuddy',
  },
  {
    path: ':appointmentId/visit',
    loadComponent: () => import('./visit-page/visit-page').then((m) => m.VisitPage),
    title: 'Consultation · MedBuddy',
  },
] satisfies Routes;
