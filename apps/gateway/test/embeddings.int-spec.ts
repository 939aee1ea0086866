import { FakeAnthropicServer, FakeOpenAIServer, fakeEmbedding } from '@iir/testing';
import OpenAI from 'openai';
import { GatewayHarness, target } from './gateway-harness';

describe('POST /v1/embeddings (the openai SDK as the client)', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  const anthropic = new FakeAnthropicServer();
  let client: OpenAI;

  beforeAll(async () => {
    await Promise.all([upstream.start(), anthropic.start()]);
    await h.start({ EXTERNAL_ANTHROPIC_KEY: 'sk-ant', EXTERNAL_OPENAI_KEY: 'sk-openai' });
    h.routes.set('openai/text-embedding-3-small', [target('openai/text-embedding-3-small', upstream.baseUrl)]);
    const claude = target('anthropic/claude-fake', anthropic.baseUrl, { provider: 'anthropic', protocol: 'anthropic' });
    h.routes.set('anthropic/claude-fake', [claude]);
    h.routes.set('mixed/embedder', [claude, target('openai/text-embedding-3-small', upstream.baseUrl)]);
    client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
  });

  afterAll(async () => {
    await h.stop();
    await Promise.all([upstream.close(), anthropic.close()]);
  });

  it('returns the upstream’s vectors (the SDK asks for base64 and decodes them), with usage and the receipt', async () => {
    const { data, response } = await client.embeddings
      .create({ model: 'openai/text-embedding-3-small', input: ['first text', 'second text'] })
      .withResponse();
    expect(data.data.map((d) => d.index)).toEqual([0, 1]);
    for (const [i, text] of ['first text', 'second text'].entries()) {
      const got = data.data[i]?.embedding ?? [];
      const want = fakeEmbedding(text);
      expect(got).toHaveLength(want.length);
      got.forEach((v, j) => expect(v).toBeCloseTo(want[j] as number, 6));
    }
    expect(data.usage).toEqual({ prompt_tokens: 4, total_tokens: 4 });
    expect(response.headers.get('x-iir-target')).toBe('openai/text-embedding-3-small');
    const sent = upstream.requests[upstream.requests.length - 1];
    expect(sent?.path).toBe('/v1/embeddings');
    expect(sent?.body).toEqual({ model: 'text-embedding-3-small', input: ['first text', 'second text'], encoding_format: 'base64' });
  });

  it('passes float vectors and dimensions through as asked', async () => {
    const data = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input: 'one text', encoding_format: 'float', dimensions: 4 });
    expect(data.data[0]?.embedding).toEqual(fakeEmbedding('one text', 4));
  });

  it('serves the same input again from the cache, without being asked', async () => {
    const input = `cache me ${Date.now()}`;
    const first = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input, encoding_format: 'float' }).withResponse();
    const again = await client.embeddings.create({ model: 'openai/text-embedding-3-small', input, encoding_format: 'float' }).withResponse();
    expect(first.response.headers.get('x-iir-cache')).toBe('miss');
    expect(again.response.headers.get('x-iir-cache')).toBe('hit');
    expect(again.data.data).toEqual(first.data.data);
  });

  it('a model whose upstream has no embeddings is a 400 naming it, and a plan falls through to one that has', async () => {
    const error = await client.embeddings.create({ model: 'anthropic/claude-fake', input: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/does not serve embeddings/);
    expect(anthropic.requests).toHaveLength(0);
    const { response } = await client.embeddings.create({ model: 'mixed/embedder', input: 'fall through', encoding_format: 'float' }).withResponse();
    expect(response.headers.get('x-iir-target')).toBe('openai/text-embedding-3-small');
    expect(response.headers.get('x-iir-attempts')).toBe('1');
  });

  it.each([
    [{ model: 'openai/text-embedding-3-small' }, /'input'/],
    [{ model: 'openai/text-embedding-3-small', input: [] }, /'input' must be/],
    [{ model: 'openai/text-embedding-3-small', input: 'x', encoding_format: 'hex' }, /'encoding_format'/],
    [{ model: 'auto', input: 'x' }, /name an embedding model/],
  ])('refuses %j with a 400', async (body, message) => {
    const res = await fetch(`${h.baseUrl}/v1/embeddings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { error: { message: string; type: string } };
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.message).toMatch(message);
  });
});

describe('embeddings and provider token budgets', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();
  const anthropic = new FakeAnthropicServer();

  beforeAll(async () => {
    await Promise.all([upstream.start(), anthropic.start()]);
    // Anthropic's budget: 1 000 tokens a minute.
    await h.start({ EXTERNAL_ANTHROPIC_KEY: 'sk-ant', EXTERNAL_OPENAI_KEY: 'sk-openai', ANTHROPIC_TPM_LIMIT: '1000' });
    const claude = target('anthropic/claude-fake', anthropic.baseUrl, { provider: 'anthropic', protocol: 'anthropic' });
    h.routes.set('anthropic/claude-fake', [claude]);
    h.routes.set('mixed/embedder', [claude, target('openai/text-embedding-3-small', upstream.baseUrl)]);
  });

  afterAll(async () => {
    await h.stop();
    await Promise.all([upstream.close(), anthropic.close()]);
  });

  it('charges nothing to a provider the plan skips because it has no embeddings', async () => {
    const client = new OpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
    // About 400 tokens each: were the skipped Anthropic target charged, two would leave it 800 used.
    const big = 'word '.repeat(400);
    for (let i = 0; i < 2; i++) {
      const { response } = await client.embeddings.create({ model: 'mixed/embedder', input: `${big}${i}`, encoding_format: 'float' }).withResponse();
      expect(response.headers.get('x-iir-target')).toBe('openai/text-embedding-3-small');
    }
    // Anthropic's budget is untouched: a chat request still fits in it.
    const chat = await client.chat.completions.create({ model: 'anthropic/claude-fake', max_tokens: 300, messages: [{ role: 'user', content: 'still within budget' }] });
    expect(chat.choices[0]?.message.content).toBe('You said: still within budget');
  });
});
