import WebSocket from 'ws';

/** A real WebSocket client for text protocols: every message received is kept in order. */
export class TextSocket {
  readonly received: string[] = [];
  private waiters: (() => void)[] = [];
  private read = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.received.push(data.toString());
      this.waiters.splice(0).forEach((wake) => wake());
    });
    socket.on('close', () => this.waiters.splice(0).forEach((wake) => wake()));
  }

  /** Opens `ws://<address><path>`, with these headers on the upgrade request. */
  static open(address: string, path: string, headers: Record<string, string> = {}): Promise<TextSocket> {
    const socket = new WebSocket(`${address.replace(/^http/, 'ws')}${path}`, { headers });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new TextSocket(socket)));
      socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade answered ${res.statusCode}`)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.send(text);
  }

  /** The next message not read yet (waits up to `timeoutMs`). */
  async next(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.read >= this.received.length) {
      if (Date.now() >= deadline || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(`no message within ${timeoutMs} ms (received: ${JSON.stringify(this.received)})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, deadline - Date.now());
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received[this.read++];
  }

  /** Messages received and not read yet. */
  unread(): string[] {
    return this.received.slice(this.read);
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
