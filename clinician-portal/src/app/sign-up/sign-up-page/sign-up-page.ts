import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { AuthStore } from '../../core/auth/auth-store';
import { outcomeMessage } from '../../core/fhir/outcome-message';
import { DoctorRegistrationApi, MIN_PASSWORD_LENGTH } from '../doctor-registration';

/** Opening a doctor account: name, e-mail and password, then "check your e-mail"; the profile follows after sign-in. */
@Component({
  selector: 'cp-sign-up-page',
  imports: [MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, ReactiveFormsModule],
  templateUrl: './sign-up-page.html',
  styleUrl: './sign-up-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignUpPage {
  private readonly api = inject(DoctorRegistrationApi);
  private readonly auth = inject(AuthStore);

  protected readonly minPasswordLength = MIN_PASSWORD_LENGTH;
  protected readonly form = inject(NonNullableFormBuilder).group({
    givenName: ['', Validators.required],
    familyName: ['', Validators.required],
    email: ['', [Validators.required, Validators.email]],
    password: ['', [Validators.required, Validators.minLength(MIN_PASSWORD_LENGTH)]],
  });
  protected readonly sending = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  /** The address the confirmation went to, once registered. */
  protected readonly sentTo = signal<string | undefined>(undefined);

  async signUp(): Promise<void> {
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.sending.set(true);
    this.error.set(undefined);
    try {
      const value = this.form.getRawValue();
      const email = value.email.trim();
      await this.api.register({ ...value, email, givenName: value.givenName.trim(), familyName: value.familyName.trim() });
      this.sentTo.set(email);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    } finally {
      this.sending.set(false);
    }
  }

  /** After confirming the address, the doctor continues with the onboarding wizard. */
  signIn(): Promise<void> {
    return this.auth.signIn('/onboarding');
  }
}
