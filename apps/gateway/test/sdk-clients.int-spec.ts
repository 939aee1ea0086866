import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { FakeOpenAIServer } from '@iir/testing';
import { generateText, streamText } from 'ai';
import { GatewayHarness, target } from './gateway-harness';

describe('unchanged third-party OpenAI clients work against the gateway', () => {
  const h = new GatewayHarness();
  const upstream = new FakeOpenAIServer();

  beforeAll(async () => {
    await upstream.start();
    await h.start();
    h.routes.set('fake/echo', [target('fake/echo', upstream.baseUrl)]);
  });
  afterAll(async () => {
    await h.stop();
    await upstream.close();
  });

  it('LangChain ChatOpenAI invokes and streams', async () => {
    const llm = new ChatOpenAI({
      model: 'fake/echo',
      apiKey: 'unused',
      temperature: 0,
      maxRetries: 0,
      configuration: { baseURL: `${h.baseUrl}/v1` },
    });
    const reply = await llm.invoke('hello from langchain');
    expect(reply.content).toBe('You said: hello from langchain');
    let streamed = '';
    for await (const chunk of await llm.stream('stream from langchain')) streamed += String(chunk.content);
    expect(streamed).toBe('You said: stream from langchain');
  });

  it('the Vercel AI SDK generates and streams text', async () => {
    const provider = createOpenAI({ baseURL: `${h.baseUrl}/v1`, apiKey: 'unused' });
    const { text, usage } = await generateText({ model: provider.chat('fake/echo'), prompt: 'hello from ai sdk', maxRetries: 0 });
    expect(text).toBe('You said: hello from ai sdk');
    expect(usage.totalTokens).toBeGreaterThan(0);
    const result = streamText({ model: provider.chat('fake/echo'), prompt: 'stream from ai sdk', maxRetries: 0 });
    let streamed = '';
    for await (const part of result.textStream) streamed += part;
    expect(streamed).toBe('You said: stream from ai sdk');
    expect((await result.usage).totalTokens).toBeGreaterThan(0);
  });
});
