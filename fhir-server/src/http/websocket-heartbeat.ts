import type { WebSocket } from 'ws';

type AliveSocket = WebSocket & { alive?: boolean };

/** Marks the socket alive now and on every pong it answers. */
export function trackAlive(socket: WebSocket): void {
  (socket as AliveSocket).alive = true;
  socket.on('pong', () => ((socket as AliveSocket).alive = true));
}

/** One heartbeat: sockets that did not answer the last ping are terminated, the others pinged. */
export function pingOrTerminate(sockets: Iterable<WebSocket>): void {
  for (const socket of sockets as Iterable<AliveSocket>) {
    if (!socket.alive) {
      socket.terminate();
      continue;
    }
    socket.alive = false;
    socket.ping();
  }
}
