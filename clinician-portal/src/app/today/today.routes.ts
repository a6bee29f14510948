import type { Routes } from '@angular/router';
import { doctorGuard } from '../doctor-area/doctor-guard';
import { TodayStore } from './today-store';

export default [
  {
    path: '',
    canActivate: [doctorGuard],
    loadComponent: () => import('./today-page/today-page').then((m) => m.TodayPage),
    providers: [TodayStore],
    title: 'Today · MedBuddy',
  },
] satisfies Routes;
