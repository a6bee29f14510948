import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./follow-ups-page/follow-ups-page').then((m) => m.FollowUpsPage),
    title: 'Follow-ups · MedBuddy',
  },
] satisfies Routes;
