import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatListModule } from '@angular/material/list';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { HumanNamePipe } from '../../shared/human-name.pipe';
import { PatientListStore } from '../patient-list-store';

/** The patients the doctor has a care relationship with, each linking to their chart. */
@Component({
  selector: 'cp-patient-list-page',
  imports: [
    FormsModule,
    HumanNamePipe,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    MatListModule,
    MatProgressBarModule,
    RouterLink,
  ],
  templateUrl: './patient-list-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PatientListPage implements OnInit {
  protected readonly store = inject(PatientListStore);
  protected readonly name = signal('');

  ngOnInit(): void {
    void this.store.load();
  }

  protected search(): void {
    void this.store.load(this.name());
  }
}
