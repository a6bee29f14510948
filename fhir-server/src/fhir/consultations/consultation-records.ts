import { randomUUID } from 'node:crypto';
import type { Appointment, Encounter, Resource } from '@medplum/fhirtypes';
import type { ConsultationServices } from '../../domain/consultations/consultation-services';
import { encounterAppointment, participantRole, type ParticipantRole } from '../../domain/consultations/consultation-participants';
import type { FhirRepository, StoredVersion } from '../../storage/fhir-repository';
import type { FhirContext, FhirResponse } from '../fhir-request';
import { parseStored, requireLive, stampMeta } from '../interactions/stored-resource';
import { lockCurrent, writeNextVersion } from '../interactions/update';
import { conflict, forbidden, notSupported } from '../outcomes';
import { parseSearchRequest } from '../search/parse';
import { requireValidResource } from '../validation/resource-validator';
import { businessRule, checkTransition } from './status-rules';

/** A current resource with the stored version it was parsed from. */
export interface Current<T extends Resource> {
  readonly resource: T & { id: string };
  readonly stored: StoredVersion;
}

export function requireConsultations(ctx: FhirContext): ConsultationServices {
  if (!ctx.consultations) {
    throw notSupported('Consultations are not configured on this server');
  }
  return ctx.consultations;
}

/** Reads (or, inside a transaction, locks and reads) a live resource the caller may see; else 404/410. */
export async function currentResource<T extends Resource>(
  repo: FhirRepository,
  resourceType: T['resourceType'],
  id: string,
  lock = false,
): Promise<Current<T>> {
  const stored = requireLive(lock ? await lockCurrent(repo, resourceType, id) : await repo.readCurrent(resourceType, id), resourceType, id);
  return { resource: parseStored(stored) as T & { id: string }, stored };
}

/** The caller's `Patient/<id>` or `Practitioner/<id>`, if they are a signed-in user with one. */
export function callerProfile(ctx: FhirContext): string | undefined {
  const principal = ctx.access.principal;
  return principal.kind === 'user' ? principal.profile : undefined;
}

/** The caller's part in the appointment; 403 unless it is one of `allowed`. */
export function requireParticipant(
  ctx: FhirContext,
  appointment: Appointment,
  allowed: readonly ParticipantRole[],
  action: string,
): ParticipantRole {
  const role = participantRole(appointment, callerProfile(ctx));
  if (!role || !allowed.includes(role)) {
    const who = allowed.length === 1 ? `the appointment's ${allowed[0]}` : "the appointment's patient and practitioner";
    throw forbidden(`Only ${who} may ${action}`);
  }
  return role;
}

/** The Appointment an Encounter records (422 when it records none). */
export async function appointmentOf(repo: FhirRepository, encounter: Encounter, lock = false): Promise<Current<Appointment>> {
  const reference = encounterAppointment(encounter);
  if (!reference) {
    throw businessRule('This Encounter records no Appointment; it is not a video consultation', 'Encounter.appointment');
  }
  return currentResource<Appointment>(repo, 'Appointment', reference.slice('Appointment/'.length), lock);
}

/** The consultation Encounter of an appointment, if one was opened (the newest, should there be more). */
export async function encounterOf(ctx: FhirContext, appointmentId: string): Promise<Current<Encounter> | undefined> {
  const params = new URLSearchParams({ appointment: `Appointment/${appointmentId}`, _sort: '-_lastUpdated', _count: '1' });
  const { query } = parseSearchRequest('Encounter', params, { catalog: ctx.repo.searchParameters, baseUrl: ctx.baseUrl });
  const page = await ctx.repo.search(query);
  const stored = page.entries[0];
  return stored ? { resource: parseStored(stored) as Encounter & { id: string }, stored } : undefined;
}

/** Writes a status change made by an operation: the state machine, validation, next version. */
export async function saveStatusChange<T extends Appointment | Encounter>(
  ctx: FhirContext,
  current: Current<T>,
  next: T & { id: string },
): Promise<FhirResponse> {
  checkTransition(next.resourceType, current.resource.status, next.status);
  const valid = (await requireValidResource(ctx, next, next.resourceType)) as T & { id: string };
  return writeNextVersion(ctx, valid, 'PUT', undefined, current.stored);
}

/** Creates the consultation Encounter for the caller (patients create none with an ordinary write). */
export async function createEncounter(ctx: FhirContext, encounter: Encounter): Promise<FhirResponse> {
  const valid = (await requireValidResource(ctx, encounter, 'Encounter')) as Encounter;
  const lastUpdated = new Date().toISOString();
  const stamped = stampMeta(valid, randomUUID(), 1, lastUpdated);
  await ctx.repo.writeVersion({ resource: stamped, versionId: 1, lastUpdated, method: 'POST', deleted: false });
  return { status: 201, resource: stamped, versionId: 1, lastUpdated, location: `${ctx.baseUrl}/Encounter/${stamped.id}/_history/1` };
}

/** 409 when the appointment can no longer be attended. */
export function requireOpenAppointment(appointment: Appointment): void {
  if (['cancelled', 'noshow', 'fulfilled', 'entered-in-error'].includes(appointment.status)) {
    throw conflict(`The appointment is ${appointment.status}`);
  }
}
