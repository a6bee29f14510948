import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { Router } from '@angular/router';
import { AuthStore } from '../auth-store';

/** The redirect URI: finishes the sign-in, then goes where the user was going. */
@Component({
  selector: 'cp-callback-page',
  imports: [MatProgressSpinnerModule],
  template: `<main class="finishing" aria-live="polite">
    <mat-spinner diameter="48" />
    <p>Signing you in…</p>
  </main>`,
  styles: `
    .finishing {
      min-height: 100dvh;
      display: grid;
      place-content: center;
      justify-items: center;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CallbackPage implements OnInit {
  private readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  private readonly document = inject(DOCUMENT);

  async ngOnInit(): Promise<void> {
    try {
      const returnUrl = await this.auth.completeSignIn(this.document.location.href);
      await this.router.navigateByUrl(returnUrl, { replaceUrl: true });
    } catch {
      // The store keeps the reason; the sign-in page shows it.
      await this.router.navigate(['/sign-in'], { replaceUrl: true });
    }
  }
}
