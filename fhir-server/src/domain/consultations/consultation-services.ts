import type { VideoProvider } from '../video/video-provider';
import type { ConsultationSettings } from './consultation-settings';

/** What the waiting-room and video operations need besides storage. */
export interface ConsultationServices {
  readonly settings: ConsultationSettings;
  readonly video: VideoProvider;
  /** The current instant (a parameter so rules are testable; the app passes `() => new Date()`). */
  now(): Date;
}
