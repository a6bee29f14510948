import type { Routes } from '@angular/router';

const page = () => import('./review-page/review-page').then((m) => m.ReviewPage);

export default [
  { path: '', loadComponent: page, title: 'Review your consultations · MedBuddy' },
  { path: ':encounterId', loadComponent: page, title: 'Review your consultation · MedBuddy' },
] satisfies Routes;
