import { computed, inject, Injectable, signal } from '@angular/core';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { firstValueFrom, type Observable } from 'rxjs';
import { linkUrl, matches } from '../core/fhir/bundle';
import { FhirClient, type SearchParams } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { auditCsv, auditNdjson, type AuditExportFormat } from './audit-export';

/** What the administrator filters the audit trail by; empty fields do not filter. */
export interface AuditFilter {
  /** `YYYY-MM-DD`, inclusive. */
  readonly from?: string;
  /** `YYYY-MM-DD`, inclusive. */
  readonly to?: string;
  /** A reference such as `Practitioner/123`. */
  readonly agent?: string;
  /** A reference such as `Patient/123`. */
  readonly patient?: string;
  /** A code of the AuditEvent type (e.g. `rest`). */
  readonly type?: string;
  /** A subtype code: the interaction or operation (`read`, `create`, `$sign`...). */
  readonly subtype?: string;
  /** `0` success, `4` minor failure, `8` serious failure, `12` major failure. */
  readonly outcome?: string;
}

export const AUDIT_PAGE_SIZE = 20;
/** Exports read the filtered set in pages this large (the server's maximum `_count`)... */
export const EXPORT_PAGE_SIZE = 1000;
/** ...and stop after this many events, saying so. */
export const EXPORT_LIMIT = 100_000;

export interface AuditExport {
  readonly blob: Blob;
  readonly count: number;
  /** More events matched than EXPORT_LIMIT. */
  readonly truncated: boolean;
}

/**
 * One page at a time of AuditEvents, newest first. Pages follow the server's `next` links;
 * the pages already seen are kept so that going back needs no `previous` link.
 */
@Injectable()
export class AuditStore {
  private readonly fhir = inject(FhirClient);
  private readonly pages = signal<readonly Bundle<AuditEvent>[]>([]);
  private readonly busy = signal(false);
  private readonly failure = signal<string | undefined>(undefined);
  private readonly chosen = signal<AuditEvent | undefined>(undefined);
  private readonly exported = signal<number | undefined>(undefined);
  /** The filter of the table shown, which the export follows. */
  private filter: AuditFilter = {};

  private readonly current = computed(() => this.pages().at(-1));
  readonly events = computed(() => {
    const page = this.current();
    return page ? matches(page) : [];
  });
  readonly pageNumber = computed(() => this.pages().length);
  readonly hasNext = computed(() => {
    const page = this.current();
    return page !== undefined && linkUrl(page, 'next') !== undefined;
  });
  readonly hasPrevious = computed(() => this.pages().length > 1);
  readonly loading = this.busy.asReadonly();
  readonly error = this.failure.asReadonly();
  /** The event whose detail is open. */
  readonly selected = this.chosen.asReadonly();
  /** Events read so far by a running export; undefined when none runs. */
  readonly exportProgress = this.exported.asReadonly();

  async search(filter: AuditFilter): Promise<void> {
    this.filter = { ...filter };
    this.chosen.set(undefined);
    const page = await this.fetch(this.fhir.search('AuditEvent', toParams(filter)));
    if (page) {
      this.pages.set([page]);
    }
  }

  async next(): Promise<void> {
    const current = this.current();
    const url = current && linkUrl(current, 'next');
    if (!url) {
      return;
    }
    const page = await this.fetch(this.fhir.page<AuditEvent>(url));
    if (page) {
      this.pages.update((pages) => [...pages, page]);
    }
  }

  select(event: AuditEvent | undefined): void {
    this.chosen.set(event);
  }

  /** Every event of the table's filter, newest first, as CSV or NDJSON, following the server's `next` links. */
  async export(format: AuditExportFormat): Promise<AuditExport | undefined> {
    this.failure.set(undefined);
    this.exported.set(0);
    const events: AuditEvent[] = [];
    try {
      let page = await firstValueFrom(this.fhir.search('AuditEvent', { ...toParams(this.filter), _count: EXPORT_PAGE_SIZE }));
      let truncated = false;
      for (;;) {
        events.push(...matches(page));
        this.exported.set(events.length);
        const next = linkUrl(page, 'next');
        if (!next || events.length >= EXPORT_LIMIT) {
          truncated = next !== undefined || events.length > EXPORT_LIMIT;
          break;
        }
        page = await firstValueFrom(this.fhir.page<AuditEvent>(next));
      }
      const kept = events.slice(0, EXPORT_LIMIT);
      const text = format === 'csv' ? auditCsv(kept) : auditNdjson(kept);
      const type = format === 'csv' ? 'text/csv' : 'application/fhir+ndjson';
      return { blob: new Blob([text], { type }), count: kept.length, truncated };
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return undefined;
    } finally {
      this.exported.set(undefined);
    }
  }

  previous(): void {
    if (this.hasPrevious()) {
      this.pages.update((pages) => pages.slice(0, -1));
    }
  }

  private async fetch(request: Observable<Bundle<AuditEvent>>): Promise<Bundle<AuditEvent> | undefined> {
    this.busy.set(true);
    this.failure.set(undefined);
    try {
      return await firstValueFrom(request);
    } catch (error) {
      this.failure.set(outcomeMessage(error));
      return undefined;
    } finally {
      this.busy.set(false);
    }
  }
}

function toParams(filter: AuditFilter): SearchParams {
  const dates = [filter.from && `ge${filter.from}`, filter.to && `le${filter.to}`].filter((date): date is string => !!date);
  return {
    _sort: '-date',
    _count: AUDIT_PAGE_SIZE,
    date: dates.length ? dates : undefined,
    agent: filter.agent?.trim() || undefined,
    patient: filter.patient?.trim() || undefined,
    type: filter.type?.trim() || undefined,
    subtype: filter.subtype?.trim() || undefined,
    outcome: filter.outcome?.trim() || undefined,
  };
}
