import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Something that answers WebSocket upgrades on one path. */
export interface UpgradeHandler {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Routes the HTTP server's WebSocket upgrades by path (video signalling, Subscription
 * notifications); any other path gets 404.
 */
export function attachWebSockets(http: Server, routes: Readonly<Record<string, UpgradeHandler | undefined>>): void {
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const handler = routes[path];
    if (!handler) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    handler.handleUpgrade(request, socket, head);
  });
}
