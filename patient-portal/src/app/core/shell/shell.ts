import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, effect, inject, signal, untracked } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatIconModule } from '@angular/material/icon';
import { MatListModule } from '@angular/material/list';
import { MatSidenavModule } from '@angular/material/sidenav';
import { MatSnackBar } from '@angular/material/snack-bar';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { map } from 'rxjs';
import { AuthStore } from '../auth/auth-store';
import { navItemsFor } from './nav-items';

/** Below this width the navigation is a drawer opened from the toolbar (phones, small tablets). */
const HANDSET = '(max-width: 959.98px)';

/** The signed-in layout: toolbar, side navigation (a drawer on phones) and the page. */
@Component({
  selector: 'pp-shell',
  imports: [MatButtonModule, MatIconModule, MatListModule, MatSidenavModule, MatToolbarModule, RouterLink, RouterLinkActive, RouterOutlet],
  templateUrl: './shell.html',
  styleUrl: './shell.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Shell {
  private readonly auth = inject(AuthStore);
  private readonly router = inject(Router);
  private readonly snackBar = inject(MatSnackBar);

  /** Doctors see the doctor area, administrators the admin area. */
  protected readonly navItems = computed(() => navItemsFor(this.auth.fhirUser()));
  protected readonly handset = toSignal(
    inject(BreakpointObserver)
      .observe(HANDSET)
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  private readonly drawerOpen = signal(false);
  protected readonly sidenavOpened = computed(() => !this.handset() || this.drawerOpen());

  constructor() {
    // A refused refresh: keep the page (and any unsaved input) and offer to sign in again.
    effect(() => {
      if (this.auth.sessionEnded()) {
        untracked(() => this.offerSignIn());
      }
    });
  }

  toggleMenu(): void {
    this.drawerOpen.update((open) => !open);
  }

  closeMenu(): void {
    this.drawerOpen.set(false);
  }

  async signOut(): Promise<void> {
    await this.auth.signOut();
    await this.router.navigate(['/sign-in']);
  }

  private offerSignIn(): void {
    this.snackBar
      .open('Your session has ended.', 'Sign in again')
      .onAction()
      .subscribe(() => void this.auth.signIn(this.router.url));
  }
}
