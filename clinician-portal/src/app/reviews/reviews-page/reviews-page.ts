import { DatePipe, DecimalPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { ReviewsStore } from '../reviews-store';

/** The doctor's average rating and the reviews patients wrote after their consultations. */
@Component({
  selector: 'cp-reviews-page',
  imports: [DatePipe, DecimalPipe, MatCardModule, MatProgressBarModule, RouterLink],
  templateUrl: './reviews-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReviewsPage implements OnInit {
  protected readonly store = inject(ReviewsStore);

  ngOnInit(): void {
    void this.store.load();
  }
}
