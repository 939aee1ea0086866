import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { FakeOpenAIServer, requireService, TEST_REDIS_URL } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, target } from './gateway-harness';

/**
 * A gateway whose Redis takes a while to connect (a slow network, a busy machine): its first
 * request must still find the cache and the limiter on Redis, not a connection still coming up.
 * A TCP proxy in front of the real Redis holds each new connection for 400 ms before passing it on.
 */
describe('gateway start-up with a slow Redis (real Redis behind a delaying proxy)', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  let proxy: net.Server;
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    await requireService('Redis', TEST_REDIS_URL);
    const redis = new URL(TEST_REDIS_URL);
    proxy = net.createServer((client) => {
      sockets.add(client);
      client.pause();
      setTimeout(() => {
        const server = net.connect(Number(redis.port || 6379), redis.hostname, () => {
          client.pipe(server);
          server.pipe(client);
          client.resume();
        });
        sockets.add(server);
        server.on('error', () => client.destroy());
        client.on('error', () => server.destroy());
        client.on('close', () => server.destroy());
      }, 400);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    await upstream.start();
    const port = (proxy.address() as net.AddressInfo).port;
    await h.start({ REDIS_URL: `redis://127.0.0.1:${port}`, CACHE_TTL: '60' });
    h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
  });

  afterAll(async () => {
    await h.stop();
    await upstream.close();
    for (const s of sockets) s.destroy();
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('answers its first request with a cache miss (Redis consulted), and the second from the cache', async () => {
    const client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    const content = `first request ${randomBytes(4).toString('hex')}`;
    const ask = () => client.chat.completions.create({ model: 'fake/echo', messages: [{ role: 'user', content }], temperature: 0 }).withResponse();
    expect((await ask()).response.headers.get('x-iir-cache')).toBe('miss');
    expect((await ask()).response.headers.get('x-iir-cache')).toBe('hit');
  });
});
