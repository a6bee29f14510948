import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import type { Practitioner } from '@medplum/fhirtypes';
import { HumanNamePipe } from '../../shared/human-name.pipe';
import { DoctorsStore } from '../doctors-store';

/** The administrator's list of verified doctors, with suspension. */
@Component({
  selector: 'cp-doctors-page',
  imports: [FormsModule, HumanNamePipe, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule],
  templateUrl: './doctors-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DoctorsPage implements OnInit {
  protected readonly store = inject(DoctorsStore);
  protected name = '';
  protected readonly reasons = signal<Readonly<Record<string, string>>>({});

  ngOnInit(): void {
    void this.store.load();
  }

  protected search(): void {
    void this.store.load(this.name);
  }

  protected setReason(id: string | undefined, reason: string): void {
    if (id) {
      this.reasons.update((reasons) => ({ ...reasons, [id]: reason }));
    }
  }

  protected suspend(doctor: Practitioner): void {
    void this.store.suspend(doctor, this.reasons()[doctor.id ?? ''] ?? '');
  }
}
