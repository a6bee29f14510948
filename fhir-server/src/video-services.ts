import type { Config } from './config';
import type { ConsultationServices } from './domain/consultations/consultation-services';
import type { VideoProvider } from './domain/video/video-provider';
import { TwilioVideo, type TwilioHttpClient } from './integrations/twilio-video';
import { WebRtcVideo } from './integrations/webrtc-video';
import type { Logger } from './logger';

/** The consultation services of the app: settings and the configured video provider. */
export interface VideoServices {
  readonly consultations: ConsultationServices;
  /** The built-in provider when VIDEO_PROVIDER=webrtc: the signalling endpoint verifies its tokens. */
  readonly webrtc?: WebRtcVideo;
}

export interface VideoServiceOptions {
  /** Replaces Twilio's HTTP client (tests: no call reaches Twilio's cloud). */
  readonly twilioHttpClient?: TwilioHttpClient;
}

/** `roomTokenKey`: the built-in provider's room token key (WebRtcVideoOptions). */
export function createVideoServices(
  config: Config,
  logger: Logger,
  roomTokenKey: Uint8Array,
  options: VideoServiceOptions = {},
): VideoServices {
  const { video } = config;
  const settings = { checkInMinutes: video.checkInMinutes, noShowGraceMinutes: video.noShowGraceMinutes };
  let provider: VideoProvider;
  let webrtc: WebRtcVideo | undefined;
  if (video.provider === 'twilio' && video.twilio) {
    provider = new TwilioVideo(video.twilio, logger, options.twilioHttpClient);
  } else {
    webrtc = new WebRtcVideo({
      publicUrl: config.publicUrl,
      stunUrls: video.stunUrls,
      turnUrls: video.turnUrls,
      turnSecret: video.turnSecret,
      roomTokenKey,
    });
    provider = webrtc;
  }
  return { consultations: { settings, video: provider, now: () => new Date() }, webrtc };
}
