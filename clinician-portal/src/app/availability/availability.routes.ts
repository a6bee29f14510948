import type { Routes } from '@angular/router';
import { doctorGuard } from '../core/auth/doctor-guard';
import { PracticeStore } from './practice-store';

export default [
  {
    path: '',
    canActivate: [doctorGuard],
    loadComponent: () => import('./availability-page/availability-page').then((m) => m.AvailabilityPage),
    providers: [PracticeStore],
    title: 'Profile and availability · MedBuddy',
  },
] satisfies Routes;
