/** A STUN or TURN server for the browsers' RTCPeerConnection (RTCIceServer). */
export interface IceServer {
  readonly urls: readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

export type VideoProviderName = 'webrtc' | 'twilio';

/** What a participant needs to join a consultation's video room, and how. */
export interface VideoCredentials {
  readonly provider: VideoProviderName;
  readonly room: string;
  readonly identity: string;
  readonly token: string;
  readonly expiresAt: Date;
  /** Built-in WebRTC: the signalling WebSocket URL to present the token to. */
  readonly signallingUrl?: string;
  /** Built-in WebRTC: STUN/TURN servers for the peer connection. */
  readonly iceServers?: readonly IceServer[];
}

export interface CredentialRequest {
  /** One room per appointment (videoRoomName). */
  readonly room: string;
  /** The participant: `Patient/<id>` or `Practitioner/<id>`. */
  readonly identity: string;
  readonly expiresAt: Date;
}

/** The video port: Twilio Video or the built-in WebRTC signalling, chosen by configuration. */
export interface VideoProvider {
  readonly name: VideoProviderName;
  issueCredentials(request: CredentialRequest): Promise<VideoCredentials>;
  /** Ends the room when the consultation ends (Twilio REST when configured; the built-in rooms empty by themselves). */
  completeRoom(room: string): Promise<void>;
}

/** The room of an appointment's consultation. */
export function videoRoomName(appointmentId: string): string {
  return `appointment-${appointmentId}`;
}
