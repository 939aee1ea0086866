import { connect, type Socket } from 'node:net';
import { OpenAISpec } from '@iir/testing';
import { GatewayHarness } from './gateway-harness';

const BODY_TIMEOUT_MS = 600;
const MAX_PER_IP = 4;

/** A raw connection to the gateway: what it received, and whether the gateway closed it. */
class RawClient {
  readonly socket: Socket;
  data = '';
  readonly closed: Promise<void>;
  readonly connected: Promise<void>;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => (this.data += chunk));
    this.socket.on('error', () => undefined);
    this.connected = new Promise((r) => this.socket.once('connect', () => r()));
    this.closed = new Promise((r) => this.socket.once('close', () => r()));
  }

  get status(): number {
    return Number(this.data.split(' ')[1]);
  }

  get body(): string {
    return this.data.split('\r\n\r\n')[1] ?? '';
  }
}

/** Raw connections to one gateway, destroyed after each test. */
function rawClients(h: GatewayHarness): { open: () => RawClient; cleanUp: () => Promise<void> } {
  const clients: RawClient[] = [];
  return {
    open: () => {
      const c = new RawClient(h.gateway.port);
      clients.push(c);
      return c;
    },
    cleanUp: async () => {
      for (const c of clients.splice(0)) c.socket.destroy();
      // The gateway sees the closes before the next test counts connections again.
      await new Promise((r) => setTimeout(r, 50));
    },
  };
}

describe('a request that never finishes arriving', () => {
  const spec = OpenAISpec.load();
  const h = new GatewayHarness();
  const { open, cleanUp } = rawClients(h);

  beforeAll(() => h.start({ REQUEST_BODY_TIMEOUT_MS: String(BODY_TIMEOUT_MS), GATEWAY_API_KEYS: 'sk-slow-1' }));
  afterEach(cleanUp);
  afterAll(() => h.stop());

  it('gets 408 in the OpenAI shape when its body never finishes, and its socket is closed', async () => {
    const c = open();
    await c.connected;
    c.socket.write(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer sk-slow-1\r\nContent-Length: 1000\r\n\r\n{"model":',
    );

    await c.closed;

    expect(c.status).toBe(408);
    const body = JSON.parse(c.body) as unknown;
    expect(spec.errors('ErrorResponse', body)).toEqual([]);
    expect(body).toEqual({ error: { message: expect.any(String), type: 'invalid_request_error', param: null, code: 'request_timeout' } });
  });

  it('gets 408 when its headers never finish', async () => {
    const c = open();
    await c.connected;
    c.socket.write('GET /v1/models HTTP/1.1\r\nHost: x\r\n');

    await c.closed;

    expect(c.status).toBe(408);
  });
});

describe('one client address holding many connections', () => {
  const h = new GatewayHarness();
  const { open, cleanUp } = rawClients(h);

  beforeAll(() => h.start({ MAX_CONNECTIONS_PER_IP: String(MAX_PER_IP), GATEWAY_API_KEYS: 'sk-slow-1' }));
  afterEach(cleanUp);
  afterAll(() => h.stop());

  it(`has a connection beyond ${MAX_PER_IP} open ones closed on arrival, and new ones taken once some closed`, async () => {
    const held = Array.from({ length: MAX_PER_IP }, () => open());
    await Promise.all(held.map((c) => c.connected));
    const extra = open();

    await extra.closed;

    // Closed without a byte of answer (a timeout would have answered 408).
    expect(extra.data).toBe('');
    held[0]?.socket.destroy();
    await held[0]?.closed;
    await new Promise((r) => setTimeout(r, 50));
    const res = await fetch(`${h.baseUrl}/v1/models`, { headers: { authorization: 'Bearer sk-slow-1', connection: 'close' } });
    expect(res.status).toBe(200);
  });
});
