import type { Routes } from '@angular/router';
import { doctorGuard } from '../doctor-area/doctor-guard';
import { ConsultationStore } from './consultation-store';
import { NoteStore } from './note-store';
import { PrescriptionStore } from './prescription-store';

export default [
  {
    path: ':encounterId',
    canActivate: [doctorGuard],
    loadComponent: () => import('./consultation-page/consultation-page').then((m) => m.ConsultationPage),
    providers: [ConsultationStore, NoteStore, PrescriptionStore],
    title: 'Consultation · MedBuddy',
  },
] satisfies Routes;
