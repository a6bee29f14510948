import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatListModule } from '@angular/material/list';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { RouterLink } from '@angular/router';
import { HumanNamePipe } from '../../shared/human-name.pipe';
import { PatientsStore } from '../patients-store';

/** The patients the doctor has a care relationship with. */
@Component({
  selector: 'cp-patients-page',
  imports: [
    FormsModule,
    HumanNamePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatListModule,
    MatProgressSpinnerModule,
    RouterLink,
  ],
  templateUrl: './patients-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PatientsPage implements OnInit {
  protected readonly store = inject(PatientsStore);
  protected name = '';

  ngOnInit(): void {
    void this.store.loadPatients();
  }

  protected search(): void {
    void this.store.loadPatients(this.name);
  }
}
