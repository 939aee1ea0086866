import { Agent, createServer, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { drainHttpServer } from './http-drain';

/** A server whose `/slow` answers in two parts, the second only when `finishSlow()` is called. */
function slowServer(): { server: Server; port: () => number; finishSlow: () => void; started: Promise<void> } {
  const waiting: ServerResponse[] = [];
  let onStarted: () => void = () => undefined;
  const started = new Promise<void>((r) => (onStarted = r));
  const server = createServer((req, res) => {
    if (req.url === '/slow') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('part one;');
      waiting.push(res);
      onStarted();
      return;
    }
    res.end('fast');
  });
  return {
    server,
    port: () => (server.address() as AddressInfo).port,
    finishSlow: () => {
      for (const res of waiting.splice(0)) res.end('part two');
    },
    started,
  };
}

function get(port: number, path: string, agent?: Agent): Promise<{ body: string; aborted: boolean }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ body, aborted: false }));
      res.on('aborted', () => resolve({ body, aborted: true }));
      res.on('error', () => resolve({ body, aborted: true }));
    });
    req.on('error', reject);
    req.end();
  });
}

function listen(server: Server): Promise<void> {
  return new Promise((r) => server.listen(0, '127.0.0.1', r));
}

describe(drainHttpServer.name, () => {
  it('stops accepting at once but lets an open response finish', async () => {
    const s = slowServer();
    await listen(s.server);
    const slow = get(s.port(), '/slow');
    await s.started;
    const port = s.port();

    const drained = drainHttpServer(s.server, 60_000);
    await expect(get(port, '/fast')).rejects.toThrow(/ECONNREFUSED/);
    s.finishSlow();

    await expect(slow).resolves.toEqual({ body: 'part one;part two', aborted: false });
    await expect(drained).resolves.toEqual({ forced: 0 });
  });

  it('does not wait for a keep-alive connection that sits between requests', async () => {
    const s = slowServer();
    await listen(s.server);
    const agent = new Agent({ keepAlive: true });
    await get(s.port(), '/fast', agent);

    await expect(drainHttpServer(s.server, 60_000)).resolves.toEqual({ forced: 0 });
    agent.destroy();
  });

  it('closes what is still open once the grace period is over, and says how many', async () => {
    const s = slowServer();
    await listen(s.server);
    const slow = get(s.port(), '/slow');
    await s.started;

    await expect(drainHttpServer(s.server, 50)).resolves.toEqual({ forced: 1 });
    await expect(slow).resolves.toMatchObject({ aborted: true });
  });
});
