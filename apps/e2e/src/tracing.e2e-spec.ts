import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { FakeOpenAIServer, requireService, ServiceProcesses, TEST_NATS_URL, waitFor } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, type SeparateService, type Started } from './support/e2e-stack';

const ADMIN_KEY = 'iir-admin-e2e-tracing-0123456789abcdef';
const SECRET_PROMPT = 'the secret prompt nobody may read in a trace';

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}
interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  attributes: Record<string, string | number | boolean>;
}

/**
 * A real OTLP/HTTP receiver (JSON, as the exporter sends it) decoding every span that arrives, in
 * front of the real services over NATS: the gateway's spans, the router's and the classifier's,
 * joined into one trace by W3C `traceparent` in NATS headers.
 */
class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly bodies: string[] = [];
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('end', () => {
        this.bodies.push(text);
        if (req.url === '/v1/traces' && req.headers['content-type']?.includes('json')) this.decode(text);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private decode(text: string): void {
    const body = JSON.parse(text) as {
      resourceSpans: Array<{
        resource: { attributes: Array<{ key: string; value: OtlpValue }> };
        scopeSpans: Array<{ spans: Array<{ traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: Array<{ key: string; value: OtlpValue }> }> }>;
      }>;
    };
    for (const rs of body.resourceSpans) {
      const service = String(flat(rs.resource.attributes)['service.name'] ?? '');
      for (const ss of rs.scopeSpans) {
        for (const s of ss.spans) {
          this.spans.push({ traceId: s.traceId, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}), name: s.name, kind: s.kind, service, attributes: flat(s.attributes ?? []) });
        }
      }
    }
  }

  inTrace(traceId: string): ReceivedSpan[] {
    return this.spans.filter((s) => s.traceId === traceId);
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

function flat(attributes: Array<{ key: string; value: OtlpValue }>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const { key, value } of attributes) {
    out[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue ?? ''));
  }
  return out;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

describe('OpenTelemetry traces across the services (a real OTLP/HTTP receiver)', () => {
  const procs = new ServiceProcesses();
  const receiver = new OtlpReceiver();
  const upstream = new FakeOpenAIServer();
  let ws: E2eWorkspace;
  let endpoint: string;
  const up: Partial<Record<SeparateService | 'capturing', Started>> = {};

  const start = async (app: SeparateService, label: string = app, extra: Record<string, string> = {}): Promise<Started> => {
    const proc = procs.spawn(app, {
      env: ws.natsEnv({ IIR_ADMIN_KEY: ADMIN_KEY, ROUTING_CONFIG: path.join(ws.dataDir, 'routing.yaml'), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...extra }),
      label,
    });
    return { process: proc, port: await proc.waitForReady(app) };
  };
  const client = (g: Started | undefined): OpenAI => new OpenAI({ baseURL: `http://127.0.0.1:${g?.port}/v1`, apiKey: ADMIN_KEY, maxRetries: 0 });

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    endpoint = await receiver.start();
    await upstream.start();
    ws = new E2eWorkspace('otel');
    writeFileSync(ws.seedFile, `models:\n  - { name: local/small, provider: local, kind: vllm, protocol: openai, upstream_model: small, base_url: "${upstream.baseUrl}" }\n`);
    writeFileSync(
      path.join(ws.dataDir, 'routing.yaml'),
      ['policies: []', 'auto:', '  local_tiers: [local]', '  tiers: { local: [local/small] }', '  routes:', '    default: { simple: [local], complex: [local] }', '  low_confidence: [local]', '  classifier_unavailable: [local]', ''].join('\n'),
    );
    for (const app of ['registry', 'auth', 'classifier', 'router'] as const) up[app] = await start(app);
    up.gateway = await start('gateway');
    up.capturing = await start('gateway', 'gateway-capturing', { OTEL_CAPTURE_CONTENT: 'true' });
    await waitFor(async () => (await fetch(`http://127.0.0.1:${up.gateway?.port}/v1/models`, { headers: { authorization: `Bearer ${ADMIN_KEY}` } })).status === 200, {
      what: 'the gateway',
    });
    await waitFor(async () => {
      try {
        // Through `auto` (never a cached plan), so the first test's plan for local/small still asks the router.
        await client(up.gateway).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'warm up' }] });
        return true;
      } catch {
        return false;
      }
    }, { timeoutMs: 15_000, what: 'a first routed request' });
  }, 90_000);

  afterAll(async () => {
    await procs.killAll();
    await Promise.all([receiver.close(), upstream.close()]);
    ws?.dispose();
  });

  it('continues an incoming traceparent through gateway, router and upstream attempt, with GenAI attributes and no content', async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const { data } = await client(up.gateway)
      .chat.completions.create({ model: 'local/small', messages: [{ role: 'user', content: SECRET_PROMPT }] }, { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('You said');
    const spans = await waitFor(() => {
      const got = receiver.inTrace(traceId);
      return got.some((s) => s.name === 'router.plan.create') && got.some((s) => s.name.startsWith('POST ')) ? got : undefined;
    }, { timeoutMs: 15_000, what: 'the trace’s spans at the receiver' });
    if (!spans) throw new Error('no spans');
    const byName = (name: string): ReceivedSpan => {
      const found = spans.find((s) => s.name === name);
      if (!found) throw new Error(`no span '${name}' in ${spans.map((s) => s.name).join(', ')}`);
      return found;
    };
    const request = byName('POST /v1/chat/completions');
    expect(request.parentSpanId).toBe(callerSpan);
    expect(request.kind).toBe(2); // SERVER
    expect(request.service).toBe('iir-gateway');
    expect(request.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'local/small',
      'gen_ai.response.model': 'local/small',
      'gen_ai.system': 'local',
      'http.response.status_code': 200,
      'iir.cache': 'bypass',
    });
    expect(request.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(request.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    for (const step of ['iir.auth', 'iir.limits', 'iir.cache', 'iir.plan']) expect(byName(step).parentSpanId).toBe(request.spanId);
    const attempt = byName('chat small');
    expect(attempt.parentSpanId).toBe(request.spanId);
    expect(attempt.kind).toBe(3); // CLIENT
    expect(attempt.attributes).toMatchObject({ 'gen_ai.system': 'local', 'gen_ai.request.model': 'small', 'iir.attempt': 1 });
    // The plan's bus request carried the trace to the router, in its own process.
    const routed = byName('router.plan.create');
    expect(routed.parentSpanId).toBe(byName('iir.plan').spanId);
    expect(routed.service).toBe('iir-router');
    expect(routed.kind).toBe(2);
    // Nothing the client sent in confidence is in any attribute.
    const everything = JSON.stringify(spans.map((s) => s.attributes));
    expect(everything).not.toContain(SECRET_PROMPT);
    expect(everything).not.toContain(ADMIN_KEY);
  });

  it('follows `auto` into the classifier, and starts a new trace without a traceparent', async () => {
    const before = new Set(receiver.spans.map((s) => s.traceId));
    await client(up.gateway).chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hello there, how are you?' }] });
    const classify = await waitFor(() => receiver.spans.find((s) => s.name === 'classifier.prompt.classify' && !before.has(s.traceId)), {
      timeoutMs: 15_000,
      what: 'the classifier’s span',
    });
    if (!classify) throw new Error('no classifier span');
    const trace = receiver.inTrace(classify.traceId);
    const routed = trace.find((s) => s.name === 'router.plan.create');
    expect(classify.parentSpanId).toBe(routed?.spanId);
    expect(classify.service).toBe('iir-classifier');
    const request = trace.find((s) => s.name === 'POST /v1/chat/completions');
    expect(request?.parentSpanId).toBeUndefined();
    expect(request?.attributes['iir.route.tier']).toBe('local');
  });

  it('puts the prompt and the answer in attributes only with OTEL_CAPTURE_CONTENT=true', async () => {
    const traceId = hex(16);
    await client(up.capturing).chat.completions.create(
      { model: 'local/small', messages: [{ role: 'user', content: SECRET_PROMPT }] },
      { headers: { traceparent: `00-${traceId}-${hex(8)}-01` } },
    );
    const request = await waitFor(() => receiver.inTrace(traceId).find((s) => s.name === 'POST /v1/chat/completions'), { timeoutMs: 15_000, what: 'the capturing gateway’s span' });
    expect(String(request?.attributes['gen_ai.input.messages'])).toContain(SECRET_PROMPT);
    expect(String(request?.attributes['gen_ai.output.messages'])).toContain(`You said: ${SECRET_PROMPT}`);
  });
});
