import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { AuthStore } from '../../core/auth/auth-store';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { AccountApi } from '../account-api';

/** Asking for a password reset link; the link opens the server's "choose a new password" page. */
@Component({
  selector: 'pp-forgot-password-page',
  imports: [MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, ReactiveFormsModule],
  templateUrl: './forgot-password-page.html',
  styleUrl: '../account-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ForgotPasswordPage {
  private readonly api = inject(AccountApi);
  private readonly auth = inject(AuthStore);

  protected readonly form = inject(NonNullableFormBuilder).group({ email: ['', [Validators.required, Validators.email]] });
  protected readonly sending = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly sentTo = signal<string | undefined>(undefined);

  async sendLink(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.sending.set(true);
    this.error.set(undefined);
    try {
      const email = this.form.getRawValue().email.trim();
      await this.api.forgotPassword(email);
      this.sentTo.set(email);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.sending.set(false);
    }
  }

  signIn(): Promise<void> {
    return this.auth.signIn('/home');
  }
}
