import { ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCardModule } from '@angular/material/card';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import { PatientStore } from '../../patient/patient-store';
import { formatDateTime, formatTime } from '../../patient/time-zone';
import { CALL_PARTNER, VideoCall, type CallState } from '../../shared/video-call/video-call';
import { VisitStore } from '../visit-store';

const CALL_STATE_TEXT: Readonly<Record<CallState, string>> = {
  idle: 'Starting the call…',
  starting: 'Starting your camera and microphone…',
  waiting: 'Waiting for the doctor to join the call…',
  connecting: 'Connecting to the doctor…',
  connected: 'You are connected with the doctor.',
  reconnecting: 'Reconnecting…',
  left: 'You left the call.',
  ended: 'The consultation has ended.',
  failed: 'The call could not be started.',
};

/**
 * The consultation: the waiting room (checked in, "waiting for the doctor to admit you"), then
 * the video call once the doctor admits the patient, with mute, camera, reconnect and leave.
 */
@Component({
  selector: 'pp-visit-page',
  imports: [MatButtonModule, MatCardModule, MatProgressBarModule, RouterLink],
  templateUrl: './visit-page.html',
  styleUrl: './visit-page.scss',
  providers: [VisitStore, VideoCall, { provide: CALL_PARTNER, useValue: 'the doctor' }],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class VisitPage {
  /** Route parameter: the Appointment id. */
  readonly appointmentId = input.required<string>();

  protected readonly store = inject(VisitStore);
  protected readonly call = inject(VideoCall);
  protected readonly patient = inject(PatientStore);

  protected readonly when = computed(() => formatDateTime(this.store.consultation()?.appointment.start, this.patient.timeZone()));
  protected readonly opens = computed(() => {
    const opens = this.store.opensAt();
    return opens === undefined ? '' : formatTime(new Date(opens).toISOString(), this.patient.timeZone());
  });
  protected readonly callStatus = computed(() => this.call.message() ?? CALL_STATE_TEXT[this.call.state()]);
  protected readonly inCall = computed(() => !['idle', 'left', 'ended', 'failed'].includes(this.call.state()));

  constructor() {
    void this.patient.load().catch(() => undefined);
    effect(() => {
      const id = this.appointmentId();
      untracked(() => void this.store.enter(id));
    });
    // The doctor admits the patient: the call starts by itself; the consultation ends: it stops.
    effect(() => {
      const phase = this.store.phase();
      untracked(() => {
        if (phase === 'admitted' && this.call.state() === 'idle') {
          void this.join();
        } else if (phase === 'ended' && this.inCall()) {
          this.call.leave();
        }
      });
    });
  }

  protected join(): Promise<void> {
    return this.call.join(() => this.store.videoCredentials());
  }

  protected retry(): void {
    void this.store.enter(this.appointmentId());
  }
}
