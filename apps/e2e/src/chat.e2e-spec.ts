import { writeFileSync } from 'node:fs';
import { FakeAnthropicServer, FakeOpenAIServer, OpenAISpec, requireService, ServiceProcesses, TEST_NATS_URL } from '@iir/testing';
import OpenAI from 'openai';
import { E2eWorkspace, startSeparately, waitForGatewayHealth, type SeparateService, type Started } from './support/e2e-stack';

/**
 * The whole request path with every service in its own process over NATS: the registry seeded
 * from a file that points at fake upstreams, the router planning from it, the gateway executing,
 * driven by the official openai SDK.
 */
describe('chat completions end to end (separate processes over NATS)', () => {
  const spec = OpenAISpec.load();
  const procs = new ServiceProcesses();
  const primary = new FakeOpenAIServer();
  const backup = new FakeOpenAIServer();
  const anthropic = new FakeAnthropicServer();
  let ws: E2eWorkspace;
  let stack: Record<SeparateService, Started>;
  let client: OpenAI;

  beforeAll(async () => {
    await requireService('NATS', TEST_NATS_URL);
    await Promise.all([primary.start(), backup.start(), anthropic.start()]);
    ws = new E2eWorkspace('chat');
    writeFileSync(
      ws.seedFile,
      [
        'models:',
        '  - { name: vllm/echo, provider: vllm, kind: vllm, protocol: openai, upstream_model: echo-7b,',
        `      base_url: "${primary.baseUrl}", aliases: [echo], fallbacks: [vllm/backup], context_window: 4096 }`,
        '  - { name: vllm/backup, provider: vllm, kind: vllm, protocol: openai, upstream_model: backup-7b,',
        `      base_url: "${backup.baseUrl}" }`,
        '  - { name: anthropic/claude-fake, provider: anthropic, kind: hosted, protocol: anthropic, upstream_model: claude-fake,',
        `      base_url: "${anthropic.baseUrl}", requires: [EXTERNAL_ANTHROPIC_KEY], pricing: { prompt: 1, completion: 5 } }`,
        '',
      ].join('\n'),
    );
    const keys = { EXTERNAL_ANTHROPIC_KEY: 'sk-ant-e2e' };
    stack = await startSeparately(procs, {
      ...ws,
      natsEnv: (extra = {}) => ws.natsEnv({ ...keys, ...extra }),
    } as E2eWorkspace);
    await waitForGatewayHealth(stack.gateway.port, (s) => s === 200, { timeoutMs: 10_000, what: 'gateway health', procs });
    client = new OpenAI({ baseURL: `http://127.0.0.1:${stack.gateway.port}/v1`, apiKey: 'unused', maxRetries: 0 });
  }, 60_000);

  afterAll(async () => {
    await procs.killAll();
    await Promise.all([primary.close(), backup.close(), anthropic.close()]);
    ws?.dispose();
  });

  it('lists the seeded models, and answers a chat by alias through the real router', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id).sort()).toEqual(['anthropic/claude-fake', 'vllm/backup', 'vllm/echo']);
    const { data, response } = await client.chat.completions.create({ model: 'echo', messages: [{ role: 'user', content: 'hi e2e' }] }).withResponse();
    expect(data.choices[0]?.message.content).toBe('You said: hi e2e');
    expect(spec.errors('CreateChatCompletionResponse', data)).toEqual([]);
    expect(response.headers.get('x-iir-target')).toBe('vllm/echo');
    expect(response.headers.get('x-iir-route-reason')).toContain("alias 'echo'");
    expect(primary.requests[primary.requests.length - 1]?.body['model']).toBe('echo-7b');
  });

  it('streams through Anthropic translation with usage', async () => {
    const stream = await client.chat.completions.create({
      model: 'anthropic/claude-fake',
      messages: [{ role: 'user', content: 'stream e2e' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let total = 0;
    for await (const chunk of stream) {
      expect(spec.errors('CreateChatCompletionStreamResponse', chunk)).toEqual([]);
      text += chunk.choices[0]?.delta.content ?? '';
      total = chunk.usage?.total_tokens ?? total;
    }
    expect(text).toBe('You said: stream e2e');
    expect(total).toBeGreaterThan(0);
  });

  it('falls back along the registry’s fallback chain when the first upstream fails', async () => {
    primary.failNext(2, 503);
    const { data, response } = await client.chat.completions
      .create({ model: 'vllm/echo', messages: [{ role: 'user', content: 'fall back' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('You said: fall back');
    expect(response.headers.get('x-iir-target')).toBe('vllm/backup');
    expect(response.headers.get('x-iir-attempts')).toBe('3');
  });

  it('answers an unknown model with 404 model_not_found naming the closest model', async () => {
    const error = await client.chat.completions.create({ model: 'vllm/ecko', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toContain('vllm/echo');
  });

  it('answers 503, not 500, while the router is down, and recovers when it returns', async () => {
    await stack.router.process.kill();
    const error = await client.chat.completions
      .create({ model: 'vllm/backup', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(503);
    const restarted = procs.spawn('router', { env: ws.natsEnv() });
    await restarted.waitForReady('router');
    const ok = await (async () => {
      for (let i = 0; i < 100; i++) {
        const r = await client.chat.completions.create({ model: 'vllm/backup', messages: [{ role: 'user', content: 'back' }] }).catch(() => undefined);
        if (r) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
      return undefined;
    })();
    expect(ok?.choices[0]?.message.content).toBe('You said: back');
  });
});
