import { request as httpRequest, createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeOpenAIServer, requireChromium } from '@iir/testing';
import { chromium, type Browser } from 'playwright-core';
import { GatewayHarness, target } from './gateway-harness';

const KEY = 'sk-cors-test-key';

/** A raw request with the headers a browser would send (fetch will not let a script set Origin). */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const chat = JSON.stringify({ model: 'fake/echo', messages: [{ role: 'user', content: 'hi from a browser' }] });

describe('CORS (CORS_ORIGINS)', () => {
  const upstream = new FakeOpenAIServer();
  const open = new GatewayHarness();
  const closed = new GatewayHarness();
  const pages: Server[] = [];
  let browser: Browser;
  let allowedPage: string;
  let otherPage: string;

  /** A page on its own origin whose script calls the gateway and reports what it could read. */
  async function page(): Promise<string> {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<!doctype html><title>app</title><p id="out">waiting</p>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    pages.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  beforeAll(async () => {
    const executablePath = requireChromium();
    await upstream.start();
    allowedPage = await page();
    otherPage = await page();
    await open.start({ CORS_ORIGINS: `${allowedPage}, https://app.example.com`, GATEWAY_API_KEYS: KEY });
    await closed.start({ GATEWAY_API_KEYS: KEY });
    for (const h of [open, closed]) h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
    browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([open.stop(), closed.stop(), upstream.close()]);
    await Promise.all(pages.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  });

  it('answers a preflight from an allowed origin with the methods and the headers it asked for', async () => {
    const res = await send(`${open.baseUrl}/v1/chat/completions`, 'OPTIONS', {
      origin: 'https://app.example.com',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization, content-type, x-stainless-os',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(res.headers['access-control-allow-methods']).toContain('POST');
    expect(res.headers['access-control-allow-headers']).toBe('authorization, content-type, x-stainless-os');
    expect(res.headers['vary']).toContain('Origin');
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  });

  it('gives another origin, or a gateway without CORS_ORIGINS, no CORS headers', async () => {
    const preflight = { origin: 'https://evil.example', 'access-control-request-method': 'POST' };
    const other = await send(`${open.baseUrl}/v1/chat/completions`, 'OPTIONS', preflight);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const none = await send(`${closed.baseUrl}/v1/chat/completions`, 'OPTIONS', { ...preflight, origin: 'https://app.example.com' });
    expect(none.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('marks answers, JSON and streams and errors, and exposes the receipt headers', async () => {
    const headers = { origin: 'https://app.example.com', authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const json = await send(`${open.baseUrl}/v1/chat/completions`, 'POST', headers, chat);
    expect(json.status).toBe(200);
    expect(json.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(json.headers['access-control-expose-headers']).toContain('x-iir-target');
    const stream = await send(`${open.baseUrl}/v1/chat/completions`, 'POST', headers, JSON.stringify({ ...JSON.parse(chat), stream: true }));
    expect(stream.headers['content-type']).toMatch(/text\/event-stream/);
    expect(stream.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const refused = await send(`${open.baseUrl}/v1/chat/completions`, 'POST', { ...headers, authorization: 'Bearer wrong' }, chat);
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe('https://app.example.com');
  });

  it('lets a page on an allowed origin call the API from a real browser, and not one on another origin', async () => {
    const script = async (page: string): Promise<string> => {
      const tab = await browser.newPage();
      try {
        await tab.goto(page);
        return await tab.evaluate(
          async ({ url, key, body }) => {
            try {
              const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
              const data = (await res.json()) as { choices: Array<{ message: { content: string } }> };
              return `${res.status} ${res.headers.get('x-iir-target') ?? '-'} ${data.choices[0]?.message.content ?? ''}`;
            } catch (error) {
              return `blocked: ${(error as Error).name}`;
            }
          },
          { url: `${open.baseUrl}/v1/chat/completions`, key: KEY, body: chat },
        );
      } finally {
        await tab.close();
      }
    };
    expect(await script(allowedPage)).toBe('200 fake/echo You said: hi from a browser');
    expect(await script(otherPage)).toBe('blocked: TypeError');
  });
});
