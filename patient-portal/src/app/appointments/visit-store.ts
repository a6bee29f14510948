import { computed, DestroyRef, inject, Injectable, signal } from '@angular/core';
import type { Encounter } from '@medplum/fhirtypes';
import type { Subscription } from 'rxjs';
import { outcomeMessage } from '../core/fhir/outcome-message';
import { LiveUpdates } from '../shared/live-updates/live-updates';
import type { VideoCredentials } from '../shared/video-call/video-credentials';
import { ConsultationApi, type Consultation } from './consultation-api';
import { canJoin, checkInOpens } from './consultation-window';

/** Longest wait for the waiting room to open by itself (a page left open for a day does not count). */
const MAX_WAIT_MS = 6 * 3_600_000;

/**
 * Where the patient is in the consultation: not open yet, in the waiting room (checked in, the
 * doctor has not admitted them), admitted (the call), or over.
 */
export type VisitPhase = 'loading' | 'too-early' | 'closed' | 'waiting' | 'admitted' | 'ended' | 'error';

/**
 * One consultation seen by its patient: checking in (`$check-in`) opens the waiting room, then
 * the Encounter is watched through LiveUpdates so "the doctor is ready" (in-progress) and the
 * end (finished) arrive without a reload. Video credentials come from `$video-token`.
 */
@Injectable()
export class VisitStore {
  private readonly api = inject(ConsultationApi);
  private readonly live = inject(LiveUpdates);
  private watching?: Subscription;
  private opening?: ReturnType<typeof setTimeout>;

  readonly consultation = signal<Consultation | undefined>(undefined);
  readonly encounter = signal<Encounter | undefined>(undefined);
  readonly error = signal<string | undefined>(undefined);
  private readonly problem = signal<'too-early' | 'closed' | undefined>(undefined);

  readonly phase = computed<VisitPhase>(() => {
    if (this.error()) {
      return 'error';
    }
    const problem = this.problem();
    if (problem) {
      return problem;
    }
    switch (this.encounter()?.status) {
      case undefined:
        return 'loading';
      case 'in-progress':
        return 'admitted';
      case 'finished':
      case 'cancelled':
      case 'entered-in-error':
        return 'ended';
      default:
        return 'waiting';
    }
  });
  /** When the waiting room opens (epoch ms), for the too-early message. */
  readonly opensAt = computed(() => {
    const appointment = this.consultation()?.appointment;
    return appointment ? checkInOpens(appointment) : undefined;
  });

  constructor() {
    inject(DestroyRef).onDestroy(() => {
      this.watching?.unsubscribe();
      clearTimeout(this.opening);
    });
  }

  /** Reads the appointment and, when the waiting room is open, checks in and watches the Encounter. */
  async enter(appointmentId: string): Promise<void> {
    this.error.set(undefined);
    this.problem.set(undefined);
    try {
      const consultation = await this.api.consultation(appointmentId);
      if (!consultation) {
        this.error.set('We could not find this appointment.');
        return;
      }
      this.consultation.set(consultation);
      const { appointment } = consultation;
      if (!canJoin(appointment, Date.now())) {
        const opens = checkInOpens(appointment) ?? 0;
        this.problem.set(Date.now() < opens ? 'too-early' : 'closed');
        if (Date.now() < opens && opens - Date.now() < MAX_WAIT_MS) {
          // The patient came early and stays: the waiting room opens by itself.
          clearTimeout(this.opening);
          this.opening = setTimeout(() => void this.enter(appointmentId), opens - Date.now() + 1_000);
        }
        return;
      }
      const encounter = await this.api.checkIn(appointmentId);
      this.encounter.set(encounter);
      this.watch(encounter.id);
    } catch (error) {
      this.error.set(outcomeMessage(error));
    }
  }

  videoCredentials(): Promise<VideoCredentials> {
    const id = this.encounter()?.id;
    if (!id) {
      return Promise.reject(new Error('Not checked in'));
    }
    return this.api.videoToken(id);
  }

  private watch(encounterId: string): void {
    this.watching?.unsubscribe();
    this.watching = this.live.changes('Encounter', { _id: encounterId }).subscribe((changed) => {
      const latest = changed.at(-1);
      if (latest) {
        this.encounter.set(latest);
      }
    });
  }
}
