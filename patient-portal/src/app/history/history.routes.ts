import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./history-page/history-page').then((m) => m.HistoryPage),
    title: 'Your medical history · MedBuddy',
  },
] satisfies Routes;
