import type { Routes } from '@angular/router';
import { HomeStore } from './home-store';

export default [
  {
    path: '',
    loadComponent: () => import('./home-page/home-page').then((m) => m.HomePage),
    providers: [HomeStore],
    title: 'Home · MedBuddy',
  },
] satisfies Routes;
