export { FakeServer, sleep, type FakeServerOptions, type Failure, type RecordedRequest, type SseOut, type WriteSplit } from './fake-server';
export { fakeEmbedding, FakeOpenAIServer } from './fake-openai.server';
export { FakeAnthropicServer } from './fake-anthropic.server';
export { estimateTokens, TOOL_CALL_COMPLETION_TOKENS, TOOL_TRIGGER } from './fake-script';
