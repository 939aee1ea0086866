import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { counter } from '../metrics/metric-factory';

const refusedMetric = () =>
  counter({
    name: 'iir_http_connections_refused_total',
    help: 'Connections closed on arrival because their client address already had MAX_CONNECTIONS_PER_IP open.',
  });

/**
 * At most `max` open connections per client address: one more is closed as it arrives, before a
 * byte of it is read, so one client cannot hold every file descriptor (1,001 stalled bodies once
 * made the gateway refuse everybody). Counted by the TCP peer: behind a proxy that is the proxy.
 */
export function limitConnectionsPerAddress(server: Server, max: number, onRefused: (address: string) => void = () => undefined): void {
  const open = new Map<string, number>();
  const refused = refusedMetric();
  // Before the HTTP layer's own listener: a refused socket never gets a parser.
  server.prependListener('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = open.get(address) ?? 0;
    if (count >= max) {
      refused.inc();
      onRefused(address);
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
