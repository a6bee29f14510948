import type { Routes } from '@angular/router';
import { ReviewsStore } from './reviews-store';

export default [
  {
    path: '',
    loadComponent: () => import('./reviews-page/reviews-page').then((m) => m.ReviewsPage),
    providers: [ReviewsStore],
    title: 'My reviews · MedBuddy',
  },
] satisfies Routes;
