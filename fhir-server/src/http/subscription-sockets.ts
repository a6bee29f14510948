import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Subscription } from '@medplum/fhirtypes';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { pingOrTerminate, trackAlive } from './websocket-heartbeat';
import { accessContextFor, type AccessContext } from '../auth/access-context';
import type { Principal } from '../auth/principal';
import { fromPrincipalRecord } from '../auth/principal-record';
import type { BindingTokens } from '../domain/subscriptions/binding-tokens';
import type { SubscriptionEventSink } from '../domain/subscriptions/websocket-sender';
import { eventsBundle } from '../fhir/operations/subscription-events';
import type { FhirRepository } from '../storage/fhir-repository';

/** Where clients open the Subscription WebSocket (R4 websocket channel). */
export const SUBSCRIPTION_SOCKET_PATH = '/subscriptions/ws';

/** Close codes (4000-4999 are the application's). */
export const SOCKET_CLOSE = { unauthorized: 4001, bindTimeout: 4002, flood: 4008 } as const;

export interface SubscriptionSocketLimits {
  readonly maxMessageBytes: number;
  /** Subscriptions one connection may bind. */
  readonly maxBindings: number;
  /** How long a connection may stay without a binding. */
  readonly bindTimeoutMs: number;
  readonly pingIntervalMs: number;
  /** Commands a connection may send in its lifetime before it is closed (bind, unbind). */
  readonly maxCommands: number;
}

const DEFAULT_LIMITS: SubscriptionSocketLimits = {
  maxMessageBytes: 4096,
  maxBindings: 20,
  bindTimeoutMs: 30_000,
  pingIntervalMs: 30_000,
  maxCommands: 1000,
};

export interface SubscriptionSocketOptions {
  /** The principal of a valid access token and when the token expires, else undefined. */
  authenticate(accessToken: string): Promise<SocketCaller | undefined>;
  readonly bindingTokens: BindingTokens;
  /** The unbound repository; each binding reads through its principal's access. */
  readonly repo: FhirRepository;
  readonly baseUrl: string;
  /** The number of the last event of a Subscription so far (0: none). */
  latestEvent(subscriptionId: string): Promise<number>;
  /**
   * The principal's account has been disabled since it signed in: its connections close before
   * their next event, however they were bound (a binding outlives its binding token).
   */
  accountDisabled(principal: Principal): boolean;
  readonly limits?: Partial<SubscriptionSocketLimits>;
  readonly onError?: (message: string, details: Record<string, unknown>) => void;
}

export interface SocketCaller {
  readonly principal: Principal;
  readonly expiresAt: Date;
}

interface Binding {
  readonly socket: WebSocket;
  readonly subscriptionId: string;
  readonly principal: Principal;
  readonly access: AccessContext;
  /** Send the events as a one-entry history Bundle after each ping (channel.payload set). */
  readonly withPayload: boolean;
  lastEvent: number;
  /** Deliveries to one binding run one after another, so no event is sent twice or out of order. */
  queue: Promise<void>;
}

/**
 * The R4 websocket channel of Subscriptions. A client opens `/subscriptions/ws` and sends
 * `bind <id>` (authenticated by the `Authorization: Bearer` header of the upgrade request) or
 * `bind-with-token <token>` (a token from `Subscription/<id>/$get-ws-binding-token`); the
 * server answers `bound <id>` and, for every later event of that Subscription the client may
 * read, sends `ping <id>`, followed by the event as a history Bundle when the channel has a
 * payload type. Events are read from the database by number, so a binding in this process
 * also gets the events another process planned, at this process's next pass.
 */
export class SubscriptionSockets implements SubscriptionEventSink {
  private readonly server: WebSocketServer;
  private readonly bindings = new Map<string, Set<Binding>>();
  private readonly limits: SubscriptionSocketLimits;
  private readonly pinger: NodeJS.Timeout;

  constructor(private readonly options: SubscriptionSocketOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.server = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxMessageBytes });
    this.pinger = setInterval(() => pingOrTerminate(this.server.clients), this.limits.pingIntervalMs);
    this.pinger.unref();
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const bearer = /^Bearer\s+([A-Za-z0-9\-_.]+)$/i.exec(request.headers.authorization ?? '')?.[1];
    const principal = bearer ? this.options.authenticate(bearer) : Promise.resolve(undefined);
    void principal.then((found) => {
      if (bearer && !found) {
        socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.server.handleUpgrade(request, socket, head, (ws) => this.connected(ws, found));
    });
  }

  async publish(subscriptionId: string, eventNumber: number): Promise<number> {
    const bound = [...(this.bindings.get(subscriptionId) ?? [])];
    await Promise.all(bound.map((binding) => this.deliver(binding, eventNumber)));
    return bound.length;
  }

  /** Sends every bound client the events it has not had yet (run after each notification pass). */
  async catchUp(): Promise<void> {
    const all = [...this.bindings.values()].flatMap((set) => [...set]);
    await Promise.all(all.map((binding) => this.deliver(binding)));
  }

  /** Bound connections of a Subscription in this process (tests, diagnostics). */
  boundClients(subscriptionId: string): number {
    return this.bindings.get(subscriptionId)?.size ?? 0;
  }

  /** The server is shutting down: clients are told to go away (1001) and reconnect elsewhere. */
  drain(): void {
    for (const socket of this.server.clients) {
      socket.close(1001, 'Server shutting down');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.pinger);
    for (const socket of this.server.clients) {
      socket.terminate();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private connected(socket: WebSocket, caller: SocketCaller | undefined): void {
    const principal = caller?.principal;
    const mine = new Map<string, Binding>();
    let commands = 0;
    // A connection opened with an access token lives no longer than the token.
    const expiry = caller
      ? setTimeout(() => socket.close(SOCKET_CLOSE.unauthorized, 'The access token expired'), caller.expiresAt.getTime() - Date.now())
      : undefined;
    const bindTimer = setTimeout(() => {
      if (mine.size === 0) {
        socket.close(SOCKET_CLOSE.bindTimeout, 'No bind message');
      }
    }, this.limits.bindTimeoutMs);
    trackAlive(socket);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      if (++commands > this.limits.maxCommands) {
        socket.close(SOCKET_CLOSE.flood, 'Too many messages');
        return;
      }
      const text = isBinary ? '' : data.toString().trim();
      const [command, argument, extra] = text.split(/\s+/);
      // Echoed in answers: never more than an id's worth.
      const shown = argument?.slice(0, 64);
      if (!argument || extra !== undefined) {
        send(socket, 'error messages are "bind <id>", "bind-with-token <token>" or "unbind <id>"');
        return;
      }
      switch (command) {
        case 'bind':
          if (!principal) {
            send(socket, `error ${shown} bind needs an access token in the Authorization header; use bind-with-token`);
            return;
          }
          void this.bind(socket, mine, principal, argument);
          return;
        case 'bind-with-token': {
          const grant = this.options.bindingTokens.verify(argument);
          if (!grant) {
            send(socket, 'error the binding token is invalid or expired');
            return;
          }
          void this.bind(socket, mine, fromPrincipalRecord(grant.principal), grant.subscriptionId);
          return;
        }
        case 'unbind': {
          const binding = mine.get(argument);
          if (binding) {
            this.unbind(binding);
            mine.delete(argument);
          }
          send(socket, `unbound ${shown}`);
          return;
        }
        default:
          send(socket, `error unknown command ${JSON.stringify(command.slice(0, 40))}`);
      }
    });
    socket.on('close', () => {
      clearTimeout(bindTimer);
      clearTimeout(expiry);
      mine.forEach((binding) => this.unbind(binding));
      mine.clear();
    });
    socket.on('error', () => socket.terminate());
  }

  private async bind(socket: WebSocket, mine: Map<string, Binding>, principal: Principal, id: string): Promise<void> {
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
      send(socket, `error ${id.slice(0, 64)} no such Subscription`);
      return;
    }
    if (this.closedIfDisabled(socket, principal)) {
      return;
    }
    try {
      if (!mine.has(id) && mine.size >= this.limits.maxBindings) {
        send(socket, `error ${id} at most ${this.limits.maxBindings} subscriptions per connection`);
        return;
      }
      const access = accessContextFor(principal);
      const stored = await this.options.repo.withAccess(access).readCurrent('Subscription', id);
      const subscription = stored && !stored.deleted ? (JSON.parse(stored.content) as Subscription) : undefined;
      if (!subscription) {
        send(socket, `error ${id} no such Subscription`);
        return;
      }
      if (subscription.channel?.type !== 'websocket' || (subscription.status !== 'active' && subscription.status !== 'requested')) {
        send(socket, `error ${id} the Subscription is not an active websocket subscription`);
        return;
      }
      const binding: Binding = {
        socket,
        subscriptionId: id,
        principal,
        access,
        withPayload: Boolean(subscription.channel.payload),
        lastEvent: await this.options.latestEvent(id),
        queue: Promise.resolve(),
      };
      const previous = mine.get(id);
      if (previous) {
        this.unbind(previous);
      }
      if (socket.readyState !== socket.OPEN) {
        return;
      }
      mine.set(id, binding);
      let set = this.bindings.get(id);
      if (!set) {
        this.bindings.set(id, (set = new Set()));
      }
      set.add(binding);
      send(socket, `bound ${id}`);
    } catch (error) {
      this.options.onError?.('Binding a Subscription WebSocket failed', { subscription: id, error: String(error) });
      send(socket, `error ${id} the subscription could not be bound`);
    }
  }

  private unbind(binding: Binding): void {
    const set = this.bindings.get(binding.subscriptionId);
    set?.delete(binding);
    if (set?.size === 0) {
      this.bindings.delete(binding.subscriptionId);
    }
  }

  /** Queues sending the binding's missing events (up to `upTo` when known). */
  private deliver(binding: Binding, upTo?: number): Promise<void> {
    binding.queue = binding.queue.then(async () => {
      try {
        await this.sendMissing(binding, upTo);
      } catch (error) {
        this.options.onError?.('Sending Subscription events over a WebSocket failed', {
          subscription: binding.subscriptionId,
          error: String(error),
        });
      }
    });
    return binding.queue;
  }

  private async sendMissing(binding: Binding, upTo: number | undefined): Promise<void> {
    const repo = this.options.repo.withAccess(binding.access);
    while (upTo === undefined || binding.lastEvent < upTo) {
      const events = await repo.subscriptionEvents(binding.subscriptionId, binding.lastEvent, 100);
      if (events.length === 0) {
        return;
      }
      for (const event of events) {
        if (binding.socket.readyState !== binding.socket.OPEN || this.closedIfDisabled(binding.socket, binding.principal)) {
          return;
        }
        const bundle = await eventsBundle(repo, this.options.baseUrl, [event]);
        binding.lastEvent = event.eventNumber;
        if (!bundle.entry?.length) {
          continue; // not readable by whoever bound it
        }
        send(binding.socket, `ping ${binding.subscriptionId}`);
        if (binding.withPayload) {
          send(binding.socket, JSON.stringify(bundle));
        }
      }
    }
  }

  private closedIfDisabled(socket: WebSocket, principal: Principal): boolean {
    if (!this.options.accountDisabled(principal)) {
      return false;
    }
    socket.close(SOCKET_CLOSE.unauthorized, 'The account is disabled');
    return true;
  }
}

function send(socket: WebSocket, text: string): void {
  if (socket.readyState === socket.OPEN) {
    socket.send(text);
  }
}
