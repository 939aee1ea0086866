import { createServer, Socket, type Server } from 'node:net';

/** A loopback port nobody listens on (bound, then released), for "service unreachable" tests. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A TCP relay to a real service (Redis…) that a test can cut (connections dropped, new ones
 * refused) and restore on the same port, to watch a client lose the service and regain it.
 */
export class TcpRelay {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<{ client: Socket; upstream: Socket }>();
  port = 0;

  private constructor(private readonly target: URL) {}

  static async start(target: string | URL): Promise<TcpRelay> {
    const relay = new TcpRelay(new URL(target));
    await relay.resume();
    return relay;
  }

  async resume(): Promise<void> {
    const server = createServer((client) => {
      const upstream = new Socket();
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      upstream.connect(Number(this.target.port), this.target.hostname);
      client.pipe(upstream).pipe(client);
      const pair = { client, upstream };
      this.pairs.add(pair);
      client.on('close', () => {
        this.pairs.delete(pair);
        upstream.destroy();
      });
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  /**
   * Holds back what the service sends (the connection stays open, nothing reaches the client) until
   * `release`: a network stall, or a service too busy to answer, as the client sees it.
   */
  hold(): void {
    for (const { client, upstream } of this.pairs) {
      upstream.unpipe(client);
      upstream.pause();
    }
  }

  /** Delivers what was held back, in order, and relays normally again. */
  release(): void {
    for (const { client, upstream } of this.pairs) upstream.pipe(client);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
