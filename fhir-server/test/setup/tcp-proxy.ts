import net from 'node:net';

/** A TCP proxy in front of a server, whose connections the test can cut as a network drop would. */
export interface TcpProxy {
  /** `http://127.0.0.1:<port>` */
  readonly origin: string;
  /** Destroys every open connection, both ways; new connections are still accepted. */
  dropConnections(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const { hostname, port } = new URL(target);
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), hostname);
    for (const [socket, other] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      open.add(socket);
      socket.on('close', () => {
        open.delete(socket);
        other.destroy();
      });
      socket.on('error', () => socket.destroy());
      socket.pipe(other);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dropConnections = () => open.forEach((socket) => socket.destroy());
  return {
    origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    dropConnections,
    close: async () => {
      dropConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
