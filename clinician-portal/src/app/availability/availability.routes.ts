import type { Routes } from '@angular/router';
import { doctorGuard } from '../doctor-area/doctor-guard';
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
