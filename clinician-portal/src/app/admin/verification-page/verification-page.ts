import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import type { Practitioner } from '@medplum/fhirtypes';
import { documentSize, documentTitle } from '../../shared/documents/document-labels';
import { HumanNamePipe } from '../../shared/human-name.pipe';
import { VerificationStore, type VerificationDecision } from '../verification-store';

/** The administrator's queue of doctors awaiting verification: their credentials and documents, then the decision. */
@Component({
  selector: 'cp-verification-page',
  imports: [FormsModule, MatButtonModule, MatCardModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule, HumanNamePipe],
  templateUrl: './verification-page.html',
  styleUrl: './verification-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class VerificationPage implements OnInit {
  protected readonly store = inject(VerificationStore);
  /** The reason typed for each doctor, by Practitioner id. */
  protected readonly reasons = signal<Readonly<Record<string, string>>>({});
  protected readonly titleOf = documentTitle;
  protected readonly sizeOf = documentSize;

  ngOnInit(): void {
    void this.store.load();
  }

  protected setReason(id: string | undefined, reason: string): void {
    if (id) {
      this.reasons.update((reasons) => ({ ...reasons, [id]: reason }));
    }
  }

  protected decide(practitioner: Practitioner, status: VerificationDecision): void {
    void this.store.decide(practitioner, status, this.reasons()[practitioner.id ?? ''] ?? '');
  }
}
