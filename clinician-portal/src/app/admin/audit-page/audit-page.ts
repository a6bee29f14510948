import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import type { AuditEvent } from '@medplum/fhirtypes';
import { AuditStore, type AuditFilter } from '../audit-store';

/** The administrator's AuditEvent browser: filters, one page of events, paging. */
@Component({
  selector: 'cp-audit-page',
  imports: [DatePipe, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule],
  templateUrl: './audit-page.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditPage implements OnInit {
  protected readonly store = inject(AuditStore);
  protected filter: { -readonly [K in keyof AuditFilter]: string } = { from: '', to: '', agent: '', patient: '', type: '' };

  ngOnInit(): void {
    void this.store.search({});
  }

  protected search(): void {
    void this.store.search(this.filter);
  }

  protected agents(event: AuditEvent): string {
    return event.agent.map((agent) => agent.who?.reference ?? agent.who?.display ?? agent.name ?? '').join(', ');
  }

  protected entities(event: AuditEvent): string {
    return (event.entity ?? []).map((entity) => entity.what?.reference ?? '').join(', ');
  }
}
