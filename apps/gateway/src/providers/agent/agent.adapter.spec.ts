import { agentChatSubject, BusError, type ChatCompletionChunk, type Target } from '@iir/contracts';
import { InProcessBus } from '@iir/platform';
import { UpstreamError, type UpstreamCall } from '../provider';
import { AgentAdapter } from './agent.adapter';

const target: Target = { model: 'local/echo', provider: 'local', kind: 'agent', protocol: 'agent', baseUrl: 'agent://a1', upstreamModel: 'echo' };
const piece = (content: string): ChatCompletionChunk => ({
  id: 'c',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'echo',
  choices: [{ index: 0, delta: { content }, finish_reason: null }],
});

function call(overrides: Partial<UpstreamCall> = {}): UpstreamCall {
  return {
    target,
    provider: { id: 'local', protocol: 'agent', defaultBaseUrl: '', headers: () => ({}) },
    body: { model: 'echo', messages: [{ role: 'user', content: 'hi' }] },
    apiKey: undefined,
    signal: new AbortController().signal,
    timeouts: { connectMs: 100, firstByteMs: 200, totalMs: 5_000 },
    ...overrides,
  };
}

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe(AgentAdapter.name, () => {
  let bus: InProcessBus;
  let adapter: AgentAdapter;
  beforeEach(() => {
    bus = new InProcessBus();
    adapter = new AgentAdapter(bus);
  });
  afterEach(() => bus.drain());

  it('is a retryable upstream_unavailable when no agent serves the subject, so the plan falls back', async () => {
    const error = await failure(adapter.complete(call()));
    expect(error).toMatchObject({ code: 'upstream_unavailable', options: { retryable: true } });
    expect(error.message).toContain("agent 'a1' is not connected");
  });

  it('refuses a target whose baseUrl names no agent, retryably', async () => {
    const error = await failure(adapter.stream(call({ target: { ...target, baseUrl: 'http://nope' } })));
    expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: true } });
  });

  it('is upstream_timeout when the agent goes quiet before its first chunk', async () => {
    bus.handleStream(agentChatSubject('a1'), async function* () {
      await new Promise((r) => setTimeout(r, 1_000));
      yield piece('late');
    });
    const error = await failure(adapter.stream(call()));
    expect(error).toMatchObject({ code: 'upstream_timeout', options: { retryable: true } });
  });

  it('an agent error after output is final: the stream ends with it, no retry', async () => {
    bus.handleStream(agentChatSubject('a1'), async function* () {
      yield piece('a');
      throw new BusError('internal_error', 'the model crashed');
    });
    const { chunks } = await adapter.stream(call());
    const seen: string[] = [];
    const error = await (async () => {
      for await (const c of chunks) seen.push(String(c.choices[0]?.delta.content));
    })().then(() => undefined, (e: unknown) => e);
    expect(seen).toEqual(['a']);
    expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
    expect((error as Error).message).toContain('the model crashed');
  });

  it('a busy agent is a retryable rate limit that keeps its Retry-After', async () => {
    bus.handleStream(agentChatSubject('a1'), async function* () {
      yield* [];
      throw new BusError('rate_limit_exceeded', 'queue full', { retryAfterMs: 500 });
    });
    const error = await failure(adapter.complete(call()));
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', options: { retryable: true, retryAfterMs: 500 } });
  });

  it('an agent that ends without a chunk, or sends something that is not a chunk, is retryable', async () => {
    bus.handleStream(agentChatSubject('a1'), async function* () {
      yield* [];
    });
    expect(await failure(adapter.complete(call()))).toMatchObject({ code: 'upstream_error', options: { retryable: true } });
    bus.handleStream(agentChatSubject('a2'), async function* () {
      yield 'not a chunk';
    });
    const other = call({ target: { ...target, baseUrl: 'agent://a2' } });
    expect(await failure(adapter.stream(other))).toMatchObject({ code: 'upstream_error', options: { retryable: true } });
  });

  it('the caller’s abort cancels the stream and is not retried', async () => {
    let stopped = false;
    bus.handleStream(agentChatSubject('a1'), async function* (_p, ctx) {
      try {
        for (let i = 0; i < 1_000 && !ctx.signal.aborted; i++) {
          await new Promise((r) => setTimeout(r, 5));
          yield piece(String(i));
        }
      } finally {
        stopped = true;
      }
    });
    const controller = new AbortController();
    const { chunks } = await adapter.stream(call({ signal: controller.signal }));
    const error = await (async () => {
      for await (const c of chunks) if (c.choices[0]?.delta.content === '2') controller.abort();
    })().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream_error', options: { retryable: false } });
    const deadline = Date.now() + 2_000;
    while (!stopped && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(stopped).toBe(true);
  });
});
