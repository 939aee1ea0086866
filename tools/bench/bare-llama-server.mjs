#!/usr/bin/env node
// For `npm run bench:agent`, for scale: the server one would write by hand in front of
// node-llama-cpp — Node's own `http`, no framework, no validation, no routing, one SSE write per
// token — streaming the bundled model's tokens as OpenAI chat chunks. What it adds over a direct
// call is what an HTTP hop costs at all on the machine (a request in, a wake-up, a response out).
import http from 'node:http';
import { getLlama, LlamaChat, resolveChatWrapper } from 'node-llama-cpp';

const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, maxThreads: 1, logLevel: 'error' });
const model = await llama.loadModel({ modelPath: process.env.BARE_MODEL });
const context = await model.createContext({ contextSize: 2048, threads: 1, sequences: 1 });
const chatWrapper = resolveChatWrapper(model);

const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (d) => (body += d));
  req.on('end', () => serve(body, res).catch((error) => res.destroy(error)));
});

async function serve(body, res) {
  const { messages, max_tokens: maxTokens, temperature } = JSON.parse(body);
  const sequence = context.getSequence();
  const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  let tokens = 0;
  const send = (payload) => res.write(`data: ${JSON.stringify(payload)}\n\n`);
  try {
    await chat.generateResponse([{ type: 'user', text: messages.at(-1).content }, { type: 'model', response: [] }], {
      maxTokens,
      temperature,
      onToken: (t) => (tokens += t.length),
      onTextChunk: (text) => {
        if (text.length > 0) send({ choices: [{ index: 0, delta: { content: text } }] });
      },
    });
    send({ choices: [], usage: { completion_tokens: tokens } });
    res.end('data: [DONE]\n\n');
  } finally {
    chat.dispose({ disposeSequence: false });
    sequence.dispose();
  }
}
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ msg: 'bare server listening', port: server.address().port })));
process.on('SIGTERM', () => process.exit(0));
