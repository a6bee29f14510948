import { ChangeDetectionStrategy, Component, effect, inject, input, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatRadioModule } from '@angular/material/radio';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime } from '../../patient/time-zone';
import { commentOf, ratingOf, type ReviewableConsultation } from '../reviews-api';
import { ReviewsStore } from '../reviews-store';

export const RATING_LABELS = ['1 star: poor', '2 stars: fair', '3 stars: good', '4 stars: very good', '5 stars: excellent'] as const;

/**
 * Finished consultations and their reviews; `reviews/<encounter id>` opens the form for that
 * consultation (the link from the history and, after a visit, from the appointments).
 */
@Component({
  selector: 'pp-review-page',
  imports: [FormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, MatRadioModule],
  templateUrl: './review-page.html',
  styleUrl: '../../records/record-page.scss',
  providers: [ReviewsStore],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ReviewPage implements OnInit {
  protected readonly store = inject(ReviewsStore);
  private readonly patient = inject(PatientStore);
  /** Route parameter: the consultation to review. */
  readonly encounterId = input<string>();
  protected readonly open = signal<string | undefined>(undefined);
  protected readonly ratings = RATING_LABELS;
  protected readonly ratingOf = ratingOf;
  protected readonly commentOf = commentOf;
  protected rating: number | undefined;
  protected comment = '';
  protected readonly missingRating = signal(false);

  constructor() {
    effect(() => this.open.set(this.encounterId()));
  }

  ngOnInit(): void {
    void this.store.load();
  }

  protected when(consultation: ReviewableConsultation): string {
    return formatDateTime(consultation.encounter.period?.start, this.patient.timeZone());
  }

  protected start(consultation: ReviewableConsultation): void {
    this.rating = undefined;
    this.comment = '';
    this.missingRating.set(false);
    this.open.set(consultation.encounter.id);
  }

  async publish(consultation: ReviewableConsultation): Promise<void> {
    if (!this.rating) {
      this.missingRating.set(true);
      return;
    }
    if (await this.store.submit(consultation, { rating: this.rating, comment: this.comment })) {
      this.open.set(undefined);
    }
  }
}
