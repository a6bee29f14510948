import type { Principal } from '../../auth/principal';
import type { StorableAuditEvent } from '../../storage/audit-sql';
import type { AuditTrail, TouchedVersion } from '../../storage/audit-trail';
import { buildAuditEvent, type RestInteraction } from './audit-event';

export interface RequestFacts {
  readonly principal: Principal;
  readonly interaction: RestInteraction;
  readonly requestId: string;
  readonly sourceIp?: string;
  readonly query?: string;
  /** Recorded in the event's description (how access was granted, e.g. a signed URL). */
  readonly detail?: string;
}

/**
 * Collects what one FHIR request touched, for its one AuditEvent. Storage reports every
 * version read or written; writes get their event stored with them (same statement or
 * transaction), everything else is stored at the end of the request through the buffer.
 */
export class RequestAudit implements AuditTrail {
  private readonly resources = new Set<string>();
  private readonly patients = new Set<string>();
  private uncoveredWrites = false;
  private candidate?: { event: StorableAuditEvent; resources: number };
  private coveredResources = -1;

  constructor(private readonly facts: RequestFacts) {}

  read(versions: readonly TouchedVersion[]): void {
    for (const version of versions) {
      this.touch(version);
    }
  }

  wrote(version: TouchedVersion): void {
    this.touch(version);
    this.uncoveredWrites = true;
  }

  eventForWrites(): StorableAuditEvent | undefined {
    if (!this.uncoveredWrites) {
      return undefined;
    }
    const status = this.facts.interaction === 'create' ? 201 : 200;
    this.candidate = { event: this.build(status), resources: this.resources.size };
    return this.candidate.event;
  }

  committed(): void {
    if (this.candidate) {
      this.uncoveredWrites = false;
      this.coveredResources = this.candidate.resources;
      this.candidate = undefined;
    }
  }

  /**
   * The event still due when the request ends: anything touching a patient compartment, any
   * write not yet covered, refusals (401/403), and everything an administrator does.
   */
  finalEvent(status: number, detail?: string): StorableAuditEvent | undefined {
    if (this.coveredResources >= 0 && !this.uncoveredWrites && this.resources.size <= this.coveredResources && status < 400) {
      return undefined;
    }
    const principal = this.facts.principal;
    const due =
      this.uncoveredWrites ||
      this.patients.size > 0 ||
      status === 401 ||
      status === 403 ||
      (principal.kind === 'user' && principal.role === 'admin') ||
      (this.coveredResources >= 0 && this.resources.size > this.coveredResources);
    return due ? this.build(status, detail) : undefined;
  }

  private touch(version: TouchedVersion): void {
    this.resources.add(`${version.resourceType}/${version.id}`);
    for (const patient of version.compartments) {
      this.patients.add(patient);
    }
  }

  private build(status: number, detail?: string): StorableAuditEvent {
    const principal = this.facts.principal;
    const patients = [...this.patients];
    const event = buildAuditEvent({
      ...this.facts,
      recorded: new Date(),
      status,
      detail: detail ?? this.facts.detail,
      resources: [...this.resources],
      patients,
      careRelationship: principal.kind === 'user' && principal.role === 'doctor' && patients.length > 0,
    });
    return { event, patients };
  }
}
