import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { outcomeMessage } from '../../fhir/outcome-message';
import { AuthStore } from '../auth-store';

/** The landing page: what MedBuddy is, and the way in (SMART sign-in on the server's page). */
@Component({
  selector: 'cp-sign-in-page',
  imports: [MatButtonModule, MatCardModule, MatProgressBarModule],
  templateUrl: './sign-in-page.html',
  styleUrl: './sign-in-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignInPage {
  private readonly auth = inject(AuthStore);

  /** Where to go after signing in (query parameter, set by the guard). */
  readonly returnUrl = input<string>('/');
  /** A message handed over by the callback page (query parameter). */
  readonly error = input<string>();

  protected readonly leaving = signal(false);
  protected readonly failure = signal<string | undefined>(undefined);
  protected readonly sessionEnded = this.auth.sessionEnded;

  async signIn(): Promise<void> {
    this.leaving.set(true);
    this.failure.set(undefined);
    try {
      await this.auth.signIn(this.returnUrl() || '/');
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      this.leaving.set(false);
    }
  }
}
