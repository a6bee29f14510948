import type { Routes } from '@angular/router';
import { doctorGuard } from '../doctor-area/doctor-guard';
import { PatientChartStore } from './patient-chart-store';
import { PatientListStore } from './patient-list-store';

export default [
  {
    path: '',
    canActivate: [doctorGuard],
    loadComponent: () => import('./patient-list-page/patient-list-page').then((m) => m.PatientListPage),
    providers: [PatientListStore],
    title: 'My patients · MedBuddy',
  },
  {
    path: ':id',
    canActivate: [doctorGuard],
    loadComponent: () => import('./patient-chart-page/patient-chart-page').then((m) => m.PatientChartPage),
    providers: [PatientChartStore],
    title: 'Patient chart · MedBuddy',
  },
] satisfies Routes;
