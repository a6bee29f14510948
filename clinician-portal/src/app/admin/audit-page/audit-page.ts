import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, signal, type OnInit } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressSpinnerModule } from '@angular/material/progress-spinner';
import { MatSelectModule } from '@angular/material/select';
import type { AuditEvent } from '@medplum/fhirtypes';
import { auditAgents, auditEntities, type AuditExportFormat } from '../audit-export';
import { AuditStore, type AuditFilter } from '../audit-store';

/** The administrator's AuditEvent browser: filters, one page of events, paging. */
@Component({
  selector: 'cp-audit-page',
  imports: [DatePipe, FormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressSpinnerModule, MatSelectModule],
  templateUrl: './audit-page.html',
  styleUrl: './audit-page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditPage implements OnInit {
  protected readonly store = inject(AuditStore);
  protected filter: { -readonly [K in keyof AuditFilter]: string } = {
    from: '',
    to: '',
    agent: '',
    patient: '',
    type: '',
    subtype: '',
    outcome: '',
  };
  protected readonly outcomes = [
    { code: '0', label: 'Success' },
    { code: '4', label: 'Minor failure' },
    { code: '8', label: 'Serious failure' },
    { code: '12', label: 'Major failure' },
  ];
  protected readonly exportMessage = signal<string | undefined>(undefined);

  ngOnInit(): void {
    void this.store.search({});
  }

  protected search(): void {
    void this.store.search(this.filter);
  }

  protected agents(event: AuditEvent): string {
    return auditAgents(event);
  }

  protected entities(event: AuditEvent): string {
    return auditEntities(event);
  }

  protected json(event: AuditEvent): string {
    return JSON.stringify(event, null, 2);
  }

  protected async download(format: AuditExportFormat): Promise<void> {
    this.exportMessage.set(undefined);
    const result = await this.store.export(format);
    if (!result) {
      return;
    }
    const link = document.createElement('a');
    link.href = URL.createObjectURL(result.blob);
    link.download = `audit-events.${format}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    this.exportMessage.set(
      `Exported ${result.count} audit events as ${format.toUpperCase()}${result.truncated ? ' (the first ones only: narrow the filter for the rest)' : ''}.`,
    );
  }
}
