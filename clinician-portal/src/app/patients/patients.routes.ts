import type { Routes } from '@angular/router';
import { doctorGuard } from '../doctor-area/doctor-guard';
import { PatientsStore } from './patients-store';

export default [
  {
    path: '',
    canActivate: [doctorGuard],
    loadComponent: () => import('./patients-page/patients-page').then((m) => m.PatientsPage),
    providers: [PatientsStore],
    title: 'My patients · MedBuddy',
  },
  {
    path: ':patientId',
    canActivate: [doctorGuard],
    loadComponent: () => import('./patient-chart-page/patient-chart-page').then((m) => m.PatientChartPage),
    providers: [PatientsStore],
    title: 'Patient chart · MedBuddy',
  },
] satisfies Routes;
