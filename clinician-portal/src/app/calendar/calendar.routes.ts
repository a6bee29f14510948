import type { Routes } from '@angular/router';
import { doctorGuard } from '../doctor-area/doctor-guard';
import { CalendarStore } from './calendar-store';

export default [
  {
    path: '',
    canActivate: [doctorGuard],
    loadComponent: () => import('./calendar-page/calendar-page').then((m) => m.CalendarPage),
    providers: [CalendarStore],
    title: 'Calendar · MedBuddy',
  },
] satisfies Routes;
