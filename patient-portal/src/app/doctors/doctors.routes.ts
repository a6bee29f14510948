import type { Routes } from '@angular/router';

export default [
  {
    path: '',
    loadComponent: () => import('./find-doctor-page/find-doctor-page').then((m) => m.FindDoctorPage),
    title: 'Find a doctor · MedBuddy',
  },
  {
    path: ':roleId',
    loadComponent: () => import('./doctor-page/doctor-page').then((m) => m.DoctorPage),
    title: 'Doctor · MedBuddy',
  },
  {
    path: ':roleId/book',
    loadComponent: () => import('./book-page/book-page').then((m) => m.BookPage),
    title: 'Book a consultation · MedBuddy',
  },
  {
    path: ':roleId/booked/:appointmentId',
    loadComponent: () => import('./booked-page/booked-page').then((m) => m.BookedPage),
    title: 'Booked · MedBuddy',
  },
] satisfies Routes;
