import type { Config } from './config';
import type { ConsultationServices } from './domain/consultations/consultation-services';
import { WebRtcVideo } from './integrations/webrtc-video';

/** The consultation services of the app: settings and the configured video provider. */
export interface VideoServices {
  readonly consultations: ConsultationServices;
  /** The built-in provider when VIDEO_PROVIDER=webrtc: the signalling endpoint verifies its tokens. */
  readonly webrtc?: WebRtcVideo;
}

export function createVideoServices(config: Config): VideoServices {
  const { video } = config;
  const settings = { checkInMinutes: video.checkInMinutes, noShowGraceMinutes: video.noShowGraceMinutes };
  const webrtc = new WebRtcVideo({
    publicUrl: config.publicUrl,
    stunUrls: video.stunUrls,
    turnUrls: video.turnUrls,
    turnSecret: video.turnSecret,
  });
  return { consultations: { settings, video: webrtc, now: () => new Date() }, webrtc };
}
