import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { MatCardModule } from '@angular/material/card';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import { HomeStore } from '../home-store';

/** The doctor's or administrator's start page. */
@Component({
  selector: 'cp-home-page',
  imports: [MatCardModule, MatProgressSpinnerModule, RouterLink],
  templateUrl: './home-page.html',
  styleUrl: './home-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HomePage implements OnInit {
  protected readonly store = inject(HomeStore);

  ngOnInit(): void {
    void this.store.load();
  }
}
