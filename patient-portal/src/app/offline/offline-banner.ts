import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RELOAD_PAGE } from './reload-page';
import { OfflineStore } from './offline-store';

/** Says that the app shows saved answers because the server cannot be reached, and since when they are. */
@Component({
  selector: 'pp-offline-banner',
  imports: [DatePipe, MatButtonModule],
  template: `
    @if (offline.offline()) {
      <p class="banner" role="status">
        <span
          >You are offline; showing what was saved on {{ offline.savedAt() | date: 'medium' }}. Changes, bookings, video calls and PDFs need
          a connection.</span
        >
        <button mat-button type="button" (click)="reload()">Try again</button>
      </p>
    }
  `,
  styles: `
    .banner {
      position: fixed;
      inset: auto 0 0 0;
      z-index: 3;
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: 8px;
      margin: 0;
      padding: 4px 16px;
      background: var(--mat-sys-tertiary-container);
      color: var(--mat-sys-on-tertiary-container);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class OfflineBanner {
  protected readonly offline = inject(OfflineStore);
  private readonly reloadPage = inject(RELOAD_PAGE);

  protected reload(): void {
    this.reloadPage();
  }
}
