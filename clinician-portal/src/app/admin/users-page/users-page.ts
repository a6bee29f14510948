import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { UsersStore, type AccountRole } from '../users-store';

/** The administrator's user management: find accounts, disable or re-enable them, resend the verification e-mail. */
@Component({
  selector: 'cp-users-page',
  imports: [FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule, MatSelectModule],
  templateUrl: './users-page.html',
  styleUrl: './users-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UsersPage {
  protected readonly store = inject(UsersStore);
  protected readonly email = signal('');
  protected readonly role = signal<AccountRole>('');

  protected search(): void {
    void this.store.search(this.email(), this.role());
  }
}
