import WebSocket from 'ws';

export interface SignalMessage {
  readonly type: string;
  readonly [key: string]: unknown;
}

/** An ICE candidate message as a browser sends it. */
export const ICE = {
  type: 'ice',
  candidate: { candidate: 'candidate:1 1 udp 2122260223 192.168.1.2 54321 typ host', sdpMid: '0', sdpMLineIndex: 0 },
};

/** A WebSocket client of the signalling endpoint that keeps every message for the test to wait on. */
export class SignallingClient {
  private readonly received: SignalMessage[] = [];
  private waiters: (() => void)[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly opened: Promise<void>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as SignalMessage);
      this.wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    this.opened = new Promise((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
  }

  static async connect(serverAddress: string, path = '/video/signal'): Promise<SignallingClient> {
    const client = new SignallingClient(new WebSocket(serverAddress.replace(/^http/, 'ws') + path));
    await client.opened;
    return client;
  }

  /** Connects and joins with the token; the `joined` message. */
  static async join(serverAddress: string, token: string): Promise<{ client: SignallingClient; joined: SignalMessage }> {
    const client = await SignallingClient.connect(serverAddress);
    client.send({ type: 'join', token });
    return { client, joined: await client.next('joined') };
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first not yet taken message of this type (waiting up to `timeoutMs`). */
  async next(type: string, timeoutMs = 15_000): Promise<SignalMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.received.findIndex((m) => m.type === type);
      if (index >= 0) {
        return this.received.splice(index, 1)[0];
      }
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`No "${type}" message within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((m) => m.type))}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Messages received and not yet taken, of this type. */
  pending(type: string): SignalMessage[] {
    return this.received.filter((m) => m.type === type);
  }

  close(): Promise<{ code: number; reason: string }> {
    this.socket.close();
    return this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) {
      wake();
    }
  }
}

/** The signalling clients a test opens, to be closed after it (afterEach). */
export class SignallingClients {
  private readonly open: SignallingClient[] = [];

  async join(origin: string, token: string): Promise<{ client: SignallingClient; joined: SignalMessage }> {
    const joined = await SignallingClient.join(origin, token);
    this.open.push(joined.client);
    return joined;
  }

  async connect(origin: string): Promise<SignallingClient> {
    const client = await SignallingClient.connect(origin);
    this.open.push(client);
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((c) => (c.socket.readyState === WebSocket.CLOSED ? undefined : c.close())));
  }
}
