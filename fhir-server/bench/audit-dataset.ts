import type { Principal } from '../src/auth/principal';
import { parseScopes } from '../src/auth/scopes';
import { buildAuditEvent, type RestInteraction } from '../src/domain/audit/audit-event';
import type { StorableAuditEvent } from '../src/storage/audit-sql';
import { mix, syntheticId } from './synthetic-resources';

/** Bump when the generated events change, so a cached template database is rebuilt. */
export const AUDIT_GENERATOR_VERSION = 1;

export interface AuditDatasetSize {
  readonly events: number;
  /** Users: doctors (Practitioner profiles) and patients signed in to the patient portal. */
  readonly practitioners: number;
  readonly patientUsers: number;
  /** Patients the events concern (the first `patientUsers` of them are users too). */
  readonly patients: number;
  readonly days: number;
}

/** Issue 12's volume: 1,000,000 AuditEvents over 90 days, 2,000 users, 20,000 patients. */
export const AUDIT_FULL_SIZE: AuditDatasetSize = { events: 1_000_000, practitioners: 400, patientUsers: 1_600, patients: 20_000, days: 90 };
/** `--quick`: the same shape at 2%. */
export const AUDIT_QUICK_SIZE: AuditDatasetSize = { events: 20_000, practitioners: 8, patientUsers: 32, patients: 400, days: 90 };

/** The events end at midnight UTC of this day (before "now", so the server's own new events sort after them). */
export const AUDIT_END_DAY = '2026-11-01';
const DAY_MS = 86_400_000;

export const INTERACTIONS = ['read', 'search-type', 'create', 'update'] as const satisfies readonly RestInteraction[];
const CLINICAL_TYPES = [
  'Observation',
  'Condition',
  'Encounter',
  'Appointment',
  'MedicationRequest',
  'DocumentReference',
  'AllergyIntolerance',
];
const FAILURES = [403, 404, 400, 500];

const SALT = { event: 50, resource: 51, request: 52, account: 53, practitioner: 54, patient: 55 } as const;

/** What one generated event is about. */
export interface AuditFactsModel {
  readonly user: number;
  /** Patient index, or -1 when the event concerns no patient. */
  readonly patient: number;
  readonly interaction: (typeof INTERACTIONS)[number];
  readonly resourceType: string;
  readonly status: number;
}

/**
 * The benchmark's AuditEvents as pure functions of their number n: event n is recorded at
 * start + n * spacing (distinct instants, so `_sort=-date` has one right order), by one of the
 * users, mostly about one patient; ~55% reads, 25% searches, 10% creates, 10% updates, 3%
 * failures (403/404/400/500, touching nothing). A compact model (typed arrays) lets the
 * workloads compute the expected page of any filter without reading back.
 */
export class AuditDataset {
  readonly startMs: number;
  readonly spacingMs: number;
  readonly users: number;
  /** Per event: user, patient (-1: none), interaction index, outcome code (0, 4, 8). */
  readonly userOf: Uint16Array;
  readonly patientOf: Int32Array;
  readonly interactionOf: Uint8Array;
  readonly outcomeOf: Uint8Array;

  constructor(readonly size: AuditDatasetSize) {
    const endMs = Date.parse(`${AUDIT_END_DAY}T00:00:00Z`);
    this.startMs = endMs - size.days * DAY_MS;
    this.spacingMs = Math.floor((size.days * DAY_MS) / size.events);
    this.users = size.practitioners + size.patientUsers;
    this.userOf = new Uint16Array(size.events);
    this.patientOf = new Int32Array(size.events);
    this.interactionOf = new Uint8Array(size.events);
    this.outcomeOf = new Uint8Array(size.events);
    for (let n = 0; n < size.events; n++) {
      const f = this.facts(n);
      this.userOf[n] = f.user;
      this.patientOf[n] = f.patient;
      this.interactionOf[n] = INTERACTIONS.indexOf(f.interaction);
      this.outcomeOf[n] = f.status < 400 ? 0 : f.status < 500 ? 4 : 8;
    }
  }

  facts(n: number): AuditFactsModel {
    const { practitioners, patientUsers, patients } = this.size;
    const doctor = mix(n, 32) % 100 < 60;
    const user = doctor ? mix(n, 33) % practitioners : practitioners + (mix(n, 33) % patientUsers);
    const roll = mix(n, 34) % 100;
    const interaction = roll < 55 ? 'read' : roll < 80 ? 'search-type' : roll < 90 ? 'create' : 'update';
    const failed = mix(n, 35) % 100 < 3;
    const status = failed ? FAILURES[mix(n, 36) % FAILURES.length] : interaction === 'create' ? 201 : 200;
    // Doctors now and then look at schedules, patients at the directory: no patient concerned.
    const noPatient = mix(n, 39) % 100 < (doctor ? 15 : 10);
    const resourceType = noPatient ? (doctor ? 'Schedule' : 'PractitionerRole') : CLINICAL_TYPES[mix(n, 37) % CLINICAL_TYPES.length];
    const patient = failed || noPatient ? -1 : doctor ? mix(n, 38) % patients : user - practitioners;
    return { user, patient, interaction: noPatient ? 'search-type' : interaction, resourceType, status };
  }

  eventId(n: number): string {
    return syntheticId(SALT.event, n);
  }
  patientId(i: number): string {
    return syntheticId(SALT.patient, i);
  }
  /** The user's FHIR profile, `Practitioner/...` or `Patient/...`. */
  userReference(u: number): string {
    return u < this.size.practitioners
      ? `Practitioner/${syntheticId(SALT.practitioner, u)}`
      : `Patient/${this.patientId(u - this.size.practitioners)}`;
  }
  recordedMs(n: number): number {
    return this.startMs + n * this.spacingMs;
  }
  /** `YYYY-MM-DD` of day d after the first. */
  day(d: number): string {
    return new Date(this.startMs + d * DAY_MS).toISOString().slice(0, 10);
  }

  /** The events recorded from the start of day `from` to the end of day `to` (inclusive, UTC): [first, last]. */
  eventRange(from: string, to: string): [number, number] {
    const fromMs = Date.parse(`${from}T00:00:00Z`);
    const toMs = Date.parse(`${to}T00:00:00Z`) + DAY_MS - 1;
    const first = Math.max(0, Math.ceil((fromMs - this.startMs) / this.spacingMs));
    const last = Math.min(this.size.events - 1, Math.floor((toMs - this.startMs) / this.spacingMs));
    return [first, last];
  }

  /** Event n exactly as the server stores it (buildAuditEvent; only the id is deterministic). */
  event(n: number): StorableAuditEvent {
    const f = this.facts(n);
    const doctor = f.user < this.size.practitioners;
    const principal: Principal = {
      kind: 'user',
      accountId: syntheticId(SALT.account, f.user),
      role: doctor ? 'doctor' : 'patient',
      profile: this.userReference(f.user),
      clientId: doctor ? 'clinician-portal' : 'patient-portal',
      scopes: parseScopes(doctor ? 'openid fhirUser user/*.*' : 'openid fhirUser patient/*.*'),
    };
    const patients = f.patient >= 0 ? [`Patient/${this.patientId(f.patient)}`] : [];
    const failed = f.status >= 400;
    const resources = failed
      ? []
      : f.interaction === 'search-type'
        ? Array.from({ length: 1 + (mix(n, 40) % 5) }, (_, k) => `${f.resourceType}/${syntheticId(SALT.resource, n * 8 + k)}`)
        : [`${f.resourceType}/${syntheticId(SALT.resource, n * 8)}`];
    const event = buildAuditEvent({
      principal,
      recorded: new Date(this.recordedMs(n)),
      interaction: f.interaction,
      status: f.status,
      requestId: syntheticId(SALT.request, n),
      sourceIp: `10.${(f.user >> 8) & 255}.${f.user & 255}.${1 + (mix(f.user, 41) % 250)}`,
      resources,
      patients,
      query: f.interaction === 'search-type' ? (f.patient >= 0 ? `patient=${patients[0]}&_count=20` : '_count=20') : undefined,
      careRelationship: doctor && patients.length > 0,
    });
    return { event: { ...event, id: this.eventId(n) }, patients };
  }

  *events(): Generator<StorableAuditEvent> {
    for (let n = 0; n < this.size.events; n++) {
      yield this.event(n);
    }
  }

  /**
   * The expected page: events in [first, last] matching `accept`, newest first, after skipping
   * `skip` of them; at most `count`.
   */
  newest(first: number, last: number, accept: (n: number) => boolean, skip: number, count: number): number[] {
    const out: number[] = [];
    let skipped = 0;
    for (let n = last; n >= first && out.length < count; n--) {
      if (accept(n)) {
        if (skipped < skip) {
          skipped++;
        } else {
          out.push(n);
        }
      }
    }
    return out;
  }
}
