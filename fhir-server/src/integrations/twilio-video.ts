import twilio from 'twilio';
import type { TwilioConfig } from '../config';
import type { CredentialRequest, VideoCredentials, VideoProvider } from '../domain/video/video-provider';
import type { Logger } from '../logger';

const { AccessToken } = twilio.jwt;

/** Twilio's answer when a room with that unique name is already in progress. */
const ROOM_EXISTS = 53113;
/** Twilio limits access tokens to 24 hours. */
const MAX_TTL_SECONDS = 24 * 3600;

type RestClient = ReturnType<typeof twilio>;
/** Twilio's HTTP client, replaceable so tests never reach Twilio's cloud. */
export type TwilioHttpClient = NonNullable<Parameters<typeof twilio>[2]>['httpClient'];

/**
 * Twilio Video: access tokens with a Video grant for the appointment's room (API key and
 * secret from configuration); with TWILIO_MANAGE_ROOMS the room is created through the REST
 * API before a token is issued and completed when the consultation ends.
 */
export class TwilioVideo implements VideoProvider {
  readonly name = 'twilio' as const;
  private readonly rest?: RestClient;

  constructor(
    private readonly config: TwilioConfig,
    private readonly logger: Logger,
    httpClient?: TwilioHttpClient,
  ) {
    if (config.manageRooms) {
      this.rest = twilio(config.apiKeySid, config.apiKeySecret, { accountSid: config.accountSid, httpClient });
    }
  }

  async issueCredentials(request: CredentialRequest): Promise<VideoCredentials> {
    if (this.rest) {
      await this.createRoom(this.rest, request.room);
    }
    const ttl = Math.max(1, Math.min(MAX_TTL_SECONDS, Math.floor((request.expiresAt.getTime() - Date.now()) / 1000)));
    const token = new AccessToken(this.config.accountSid, this.config.apiKeySid, this.config.apiKeySecret, {
      identity: request.identity,
      ttl,
    });
    token.addGrant(new AccessToken.VideoGrant({ room: request.room }));
    return {
      provider: 'twilio',
      room: request.room,
      identity: request.identity,
      token: token.toJwt(),
      expiresAt: new Date(Date.now() + ttl * 1000),
    };
  }

  async completeRoom(room: string): Promise<void> {
    if (!this.rest) {
      return;
    }
    try {
      await this.rest.video.v1.rooms(room).update({ status: 'completed' });
    } catch (error) {
      // The consultation has ended in our records; an empty room also closes by itself at Twilio.
      this.logger.error('Twilio room could not be completed', { room, error: String((error as Error)?.message ?? error) });
    }
  }

  private async createRoom(rest: RestClient, room: string): Promise<void> {
    try {
      await rest.video.v1.rooms.create({ uniqueName: room, type: 'group' });
    } catch (error) {
      if ((error as { code?: number }).code !== ROOM_EXISTS) {
        throw error;
      }
    }
  }
}
