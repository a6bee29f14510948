import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { outcomeMessage } from '../../fhir/outcome-message';
import { AuthStore } from '../auth-store';

/** The landing page: what MedBuddy is, and the way in (SMART sign-in on the server's page). */
@Component({
  selector: 'pp-sign-in-page',
  imports: [MatButtonModule, MatCardModule, MatProgressBarModule],
  templateUrl: './sign-in-page.html',
  styleUrl: './sign-in-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignInPage {
  private readonly auth = inject(AuthStore);

  /** Where to go after signing in (query parameter, set by the guard). */
  readonly returnUrl = input<string>('/');
  protected readonly leaving = signal(false);
  private readonly discoveryFailure = signal<string | undefined>(undefined);
  /** Why signing in failed: here (server unreachable) or on the way back (kept by the store, never read from the URL). */
  protected readonly failure = computed(() => this.discoveryFailure() ?? this.auth.signInFailure());
  protected readonly sessionEnded = this.auth.sessionEnded;

  async signIn(): Promise<void> {
    this.leaving.set(true);
    this.discoveryFailure.set(undefined);
    try {
      await this.auth.signIn(this.returnUrl() || '/');
    } catch (error) {
      this.discoveryFailure.set(outcomeMessage(error));
      this.leaving.set(false);
    }
  }
}
