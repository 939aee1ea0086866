import type { Server } from 'node:http';

/** How often connections that went idle while draining are closed (keep-alive sockets between requests). */
const IDLE_SWEEP_MS = 50;

export interface DrainResult {
  /** Connections still open when the grace period ran out (closed by force). */
  forced: number;
}

/**
 * Stops accepting connections and waits for the ones open to finish their requests and streams,
 * at most `graceMs`; then closes whatever is left. Keep-alive sockets are closed as soon as they are
 * between requests, so a client holding one open cannot stretch the drain.
 */
export function drainHttpServer(server: Server, graceMs: number): Promise<DrainResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (forced: number): void => {
      if (settled) return;
      settled = true;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve({ forced });
    };
    const sweep = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    const deadline = setTimeout(() => {
      server.getConnections((_error, open) => {
        server.closeAllConnections();
        finish(open);
      });
    }, graceMs);
    if (!server.listening) {
      finish(0);
      return;
    }
    // Node closes the idle connections here and calls back once the last connection has ended.
    server.close(() => finish(0));
  });
}
