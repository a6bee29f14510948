import type { Routes } from '@angular/router';
import { adminGuard } from './admin-guard';
import { AuditStore } from './audit-store';
import { DoctorsStore } from './doctors-store';
import { SpecialtiesStore } from './specialties-store';
import { UsersStore } from './users-store';
import { VerificationStore } from './verification-store';

export default [
  { path: '', pathMatch: 'full', redirectTo: 'verification' },
  {
    path: 'verification',
    canActivate: [adminGuard],
    loadComponent: () => import('./verification-page/verification-page').then((m) => m.VerificationPage),
    providers: [VerificationStore],
    title: 'Verification · MedBuddy',
  },
  {
    path: 'doctors',
    canActivate: [adminGuard],
    loadComponent: () => import('./doctors-page/doctors-page').then((m) => m.DoctorsPage),
    providers: [DoctorsStore],
    title: 'Doctors · MedBuddy',
  },
  {
    path: 'specialties',
    canActivate: [adminGuard],
    loadComponent: () => import('./specialties-page/specialties-page').then((m) => m.SpecialtiesPage),
    providers: [SpecialtiesStore],
    title: 'Specialties · MedBuddy',
  },
  {
    path: 'audit',
    canActivate: [adminGuard],
    loadComponent: () => import('./audit-page/audit-page').then((m) => m.AuditPage),
    providers: [AuditStore],
    title: 'Audit trail · MedBuddy',
  },
  {
    path: 'users',
    canActivate: [adminGuard],
    loadComponent: () => import('./users-page/users-page').then((m) => m.UsersPage),
    providers: [UsersStore],
    title: 'Users · MedBuddy',
  },
] satisfies Routes;
