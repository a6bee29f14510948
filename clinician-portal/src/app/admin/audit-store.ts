import { computed, inject, Injectable, signal } from '@angular/core';
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { firstValueFrom, type Observable } from 'rxjs';
import { linkUrl, matches } from '../core/fhir/bundle';
import { FhirClient, type SearchParams } from '../core/fhir/fhir-client';
import { outcomeMessage } from '../core/fhir/outcome-message';

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
}

export const AUDIT_PAGE_SIZE = 20;

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

  async search(filter: AuditFilter): Promise<void> {
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
  };
}
