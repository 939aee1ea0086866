#!/usr/bin/env node
// A minimal OpenAI-compatible upstream for the benchmark: answers at once from precomputed buffers
// (JSON and SSE), so what the benchmark measures is the gateway, not the fake.
import http from 'node:http';

const json = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'fast',
    choices: [{ index: 0, message: { role: 'assistant', content: 'Hello there, friend.', refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 },
  }),
);
const chunk = (delta, finish, usage) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: 'fast',
    choices: usage ? [] : [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    ...(usage ? { usage } : {}),
  })}\n\n`;
const sseParts = [
  chunk({ role: 'assistant', content: '' }, null),
  chunk({ content: 'Hello' }, null),
  chunk({ content: ' there,' }, null),
  chunk({ content: ' friend.' }, null),
  chunk({}, 'stop'),
];
const usageChunk = chunk(null, null, { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17 });
const done = 'data: [DONE]\n\n';

const server = http.createServer((req, res) => {
  const parts = [];
  req.on('data', (c) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts).toString();
    if (!body.includes('"stream":true')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': json.length });
      res.end(json);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    // Headers first, then the events, as a real upstream does.
    res.flushHeaders();
    const usage = body.includes('"include_usage":true') ? usageChunk : '';
    res.end(sseParts.join('') + usage + done);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: server.address().port }) + '\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
