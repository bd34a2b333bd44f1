// A TCP relay in front of PostgreSQL: cutting it makes the database unreachable for whoever
// connects through it (refused connections, dropped sockets) without stopping the server,
// which other test files share.
import { connect, createServer, type Server, type Socket } from 'node:net';

export class TcpRelay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(private readonly target: { host: string; port: number }, readonly port: number) {}

  /** A relay on a free port towards the host and port of `url`; returns it open. */
  static async towards(url: string): Promise<TcpRelay> {
    const target = new URL(url);
    const probe = createServer();
    const port = await new Promise<number>((resolve) => probe.listen(0, '127.0.0.1', () => resolve((probe.address() as { port: number }).port)));
    await new Promise((resolve) => probe.close(resolve));
    const relay = new TcpRelay({ host: target.hostname, port: Number(target.port || 5432) }, port);
    await relay.open();
    return relay;
  }

  /** `url` with its host replaced by the relay's. */
  through(url: string): string {
    const relayed = new URL(url);
    relayed.host = `127.0.0.1:${this.port}`;
    return relayed.toString();
  }

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    this.server = null;
  }
}
