import type { Parameters } from '@medplum/fhirtypes';

/** How to join the consultation's video room (`Encounter/[id]/$video-token`). */
export interface VideoCredentials {
  /** `webrtc` (the server's built-in signalling) or `twilio`. */
  readonly provider: string;
  readonly room: string;
  readonly identity: string;
  readonly token: string;
  readonly expires: string;
  /** webrtc: the WebSocket to join with the token. */
  readonly signallingUrl?: string;
  readonly iceServers: RTCIceServer[];
}

/** The `$video-token` answer as credentials (iceServer parts become RTCIceServer entries). */
export function videoCredentials(answer: Parameters): VideoCredentials {
  const parameters = answer.parameter ?? [];
  const value = (name: string) => {
    const p = parameters.find((parameter) => parameter.name === name);
    return p?.valueString ?? p?.valueCode ?? p?.valueInstant ?? p?.valueUrl ?? p?.valueUri;
  };
  const iceServers = parameters
    .filter((p) => p.name === 'iceServer')
    .map((p) => {
      const parts = p.part ?? [];
      const text = (name: string) => parts.find((part) => part.name === name)?.valueString;
      return {
        urls: parts.filter((part) => part.name === 'urls').map((part) => part.valueString as string),
        username: text('username'),
        credential: text('credential'),
      };
    });
  return {
    provider: value('provider') ?? 'webrtc',
    room: value('room') ?? '',
    identity: value('identity') ?? '',
    token: value('token') ?? '',
    expires: value('expires') ?? '',
    signallingUrl: value('signallingUrl'),
    iceServers,
  };
}
