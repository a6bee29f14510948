import { ChangeDetectionStrategy, Component, computed, inject, input, output, type OnInit } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { CALL_PARTNER, VideoCall, type CallState } from '../../shared/video-call/video-call';
import { VideoRoom } from '../video-room';

const CALL_STATE_TEXT: Readonly<Record<CallState, string>> = {
  idle: 'The call has not started.',
  starting: 'Starting your camera and microphone…',
  waiting: 'Waiting for the patient to join the call…',
  connecting: 'Connecting to the patient…',
  connected: 'You are connected with the patient.',
  reconnecting: 'Reconnecting…',
  left: 'You left the call.',
  ended: 'The consultation has ended.',
  failed: 'The call could not be started.',
};

/**
 * The consultation's video call inside the workspace: the patient's video with the doctor's
 * own preview, the connection state in words, mute, camera, reconnect and leave. The call
 * (shared/video-call/, either provider) starts when the panel opens and ends with it; ending
 * the visit ends it for both sides (the server closes the room).
 */
@Component({
  selector: 'cp-video-panel',
  imports: [MatButtonModule],
  templateUrl: './video-panel.html',
  styleUrl: './video-panel.scss',
  providers: [VideoCall, { provide: CALL_PARTNER, useValue: 'the patient' }],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class VideoPanel implements OnInit {
  /** The Encounter whose room the call joins. */
  readonly encounterId = input.required<string>();
  /** The patient's name, for the video's label. */
  readonly patientName = input('the patient');
  /** The doctor closed the panel after leaving the call. */
  readonly closed = output<void>();

  protected readonly call = inject(VideoCall);
  private readonly room = inject(VideoRoom);
  protected readonly status = computed(() => this.call.message() ?? CALL_STATE_TEXT[this.call.state()]);
  protected readonly inCall = computed(() => !['idle', 'left', 'ended', 'failed'].includes(this.call.state()));

  ngOnInit(): void {
    void this.join();
  }

  protected join(): Promise<void> {
    return this.call.join(() => this.room.credentials(this.encounterId()));
  }
}
