// The llama backend's engine: node-llama-cpp is ESM with top-level await, so it is loaded here,
// natively, whatever loaded the agent (the esbuild CJS bundle, Jest's VM, ts-node). It runs on the
// agent's own thread when the agent can import it natively (the bundle, `npm start`: no thread hop
// on the way to the first token), else in a worker thread (under Jest's VM, or AGENT_LLAMA_THREAD=
// worker). Either way the agent sends plain messages and gets plain messages back; nothing else
// crosses.
//
// In:  {type:'load', id, path, contextSize, threads, sequences, gpu}
//      {type:'unload', id, path}
//      {type:'chat', runId, path, messages, maxTokens, temperature, topP, seed, stop}
//      {type:'abort', runId}
//      {type:'embed', id, path, texts, threads}
//      {type:'close', id}                              (unloads everything)
// Out: {type:'reply', id, ok, error?, info?}
//      {type:'text', runId, text}                      (as tokens are generated, joined within 4 ms)
//      {type:'done', runId, finishReason, promptTokens, completionTokens}
//      {type:'failed', runId, code, message}
import { parentPort, workerData } from 'node:worker_threads';

let llamaPromise;

let LlamaChat;
let resolveChatWrapper;

function llama(options) {
  llamaPromise ??= import('node-llama-cpp').then((lib) => {
    ({ LlamaChat, resolveChatWrapper } = lib);
    return lib.getLlama({ gpu: options.gpu, build: 'never', skipDownload: true, maxThreads: options.threads, logLevel: 'error', progressLogs: false });
  });
  return llamaPromise;
}

/**
 * Text leaves the worker at most once per COALESCE_MS: a token that comes later than that after the
 * last message goes at once (so a model slower than ~250 tokens/s streams token by token, with no
 * added latency, and the first token always goes at once); faster tokens are joined into one
 * message, as vLLM's stream interval does. Every hop after this one (agent, bus, gateway, SSE
 * write, the client's parse) then costs per message, not per token.
 */
const COALESCE_MS = 4;

function textSender(runId, post) {
  let pending = '';
  let lastAt = -Infinity;
  let timer;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (pending.length === 0) return;
    post({ type: 'text', runId, text: pending });
    pending = '';
    lastAt = performance.now();
  };
  return {
    add(chunk) {
      pending += chunk;
      if (timer) return;
      const wait = lastAt + COALESCE_MS - performance.now();
      if (wait <= 0) flush();
      else timer = setTimeout(flush, wait);
    },
    flush,
  };
}

function text(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (p && p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

/**
 * At least as many tokens as the text holds: a token covers at least one byte of its text, a
 * special token's name is at least as long as its count, and each piece may gain a leading token.
 */
function tokenBound(contextText) {
  return Buffer.byteLength(contextText.toString(), 'utf8') + 2 * contextText.values.length + 4;
}

/** OpenAI messages as node-llama-cpp's chat history, ending with the model's (empty) turn. */
function history(messages) {
  const out = [];
  for (const m of messages) {
    const body = text(m.content);
    if (m.role === 'system' || m.role === 'developer') out.push({ type: 'system', text: body });
    else if (m.role === 'assistant') out.push({ type: 'model', response: [body] });
    else out.push({ type: 'user', text: m.role === 'tool' ? `Tool result: ${body}` : body });
  }
  out.push({ type: 'model', response: [] });
  return out;
}

/**
 * One engine: its own models and runs. `post` gets every outbound message; the function returned
 * takes the inbound ones (a worker's port, or the agent's thread calling it directly).
 */
export function serve(post) {
  const models = new Map(); // path → { model, context, contextSize, ready, embedding? }
  const runs = new Map(); // runId → AbortController

  async function load({ path, contextSize, threads, sequences, gpu }) {
    const known = models.get(path);
    if (known) return known.ready;
    const entry = {};
    entry.ready = (async () => {
      const l = await llama({ gpu, threads });
      const model = await l.loadModel({ modelPath: path });
      const size = Math.min(contextSize, model.trainContextSize ?? contextSize);
      const context = await model.createContext({ contextSize: size, threads, sequences });
      // The chat template, read from the file once: not again for every request.
      Object.assign(entry, { model, context, contextSize: size, chatWrapper: resolveChatWrapper(model) });
      return { contextSize: size, trainContextSize: model.trainContextSize };
    })();
    models.set(path, entry);
    try {
      return await entry.ready;
    } catch (error) {
      models.delete(path);
      throw error;
    }
  }

  async function unload(path) {
    const entry = models.get(path);
    if (!entry) return;
    models.delete(path);
    await entry.ready.catch(() => undefined);
    await entry.embedding?.then((c) => c.dispose()).catch(() => undefined);
    await entry.context?.dispose();
    await entry.model?.dispose();
  }

  /** One vector per text, from an embedding context made on first use (beside the chat context), and the texts' token count. */
  async function embed({ path, texts, threads }) {
    const entry = models.get(path);
    if (!entry?.model) throw new Error(`model ${path} is not loaded`);
    entry.embedding ??= entry.model.createEmbeddingContext({ contextSize: entry.contextSize, threads });
    let context;
    try {
      context = await entry.embedding;
    } catch (error) {
      // Not kept: the next request tries again (memory may be back).
      entry.embedding = undefined;
      throw error;
    }
    const vectors = [];
    let promptTokens = 0;
    for (const text of texts) {
      const tokens = entry.model.tokenize(text);
      if (tokens.length > entry.contextSize) throw Object.assign(new Error(`An input is ${tokens.length} tokens; the model's context holds ${entry.contextSize}.`), { code: 'invalid_request_error' });
      promptTokens += tokens.length;
      vectors.push([...(await context.getEmbeddingFor(tokens)).vector]);
    }
    return { vectors, promptTokens };
  }

  async function chat(msg) {
    const entry = models.get(msg.path);
    if (!entry?.context) throw Object.assign(new Error(`model ${msg.path} is not loaded`), { code: 'upstream_unavailable' });
    let sequence;
    try {
      sequence = entry.context.getSequence();
    } catch {
      throw Object.assign(new Error('every sequence of the model is busy'), { code: 'rate_limit_exceeded' });
    }
    const abort = new AbortController();
    runs.set(msg.runId, abort);
    const session = new LlamaChat({ contextSequence: sequence, chatWrapper: entry.chatWrapper });
    let sender;
    try {
      const chatHistory = history(msg.messages);
      const { contextText } = session.chatWrapper.generateContextState({ chatHistory });
      // The exact prompt count waits for the end (usage is sent last) when a bound proves the prompt
      // and the token budget fit the context; else it is counted now, to refuse or to cap the budget.
      const fits = msg.maxTokens != null && tokenBound(contextText) + msg.maxTokens <= entry.contextSize;
      let promptTokens = fits ? undefined : contextText.tokenize(entry.model.tokenizer).length;
      const room = entry.contextSize - (promptTokens ?? 0);
      if (room < 1) {
        throw Object.assign(new Error(`The prompt is ${promptTokens} tokens; the model's context holds ${entry.contextSize}.`), { code: 'invalid_request_error' });
      }
      const maxTokens = Math.min(msg.maxTokens ?? room, room);
      let completionTokens = 0;
      sender = textSender(msg.runId, post);
      const result = await session.generateResponse(chatHistory, {
        maxTokens,
        ...(msg.temperature != null ? { temperature: msg.temperature } : {}),
        ...(msg.topP != null ? { topP: msg.topP } : {}),
        ...(msg.seed != null ? { seed: msg.seed } : {}),
        ...(msg.stop?.length ? { customStopTriggers: msg.stop } : {}),
        signal: abort.signal,
        stopOnAbortSignal: true,
        onToken: (tokens) => {
          completionTokens += tokens.length;
        },
        onTextChunk: (chunk) => {
          if (chunk.length > 0) sender.add(chunk);
        },
      });
      sender.flush();
      // A stop sequence is not part of the answer (OpenAI's rule); node-llama-cpp leaves it out too.
      const finishReason = result.metadata.stopReason === 'maxTokens' ? 'length' : 'stop';
      promptTokens ??= contextText.tokenize(entry.model.tokenizer).length;
      post({ type: 'done', runId: msg.runId, finishReason, promptTokens, completionTokens, aborted: abort.signal.aborted });
    } finally {
      sender?.flush();
      runs.delete(msg.runId);
      session.dispose({ disposeSequence: false });
      sequence.dispose();
    }
  }

  function reply(msg, work) {
    work.then(
      (info) => post({ type: 'reply', id: msg.id, ok: true, info }),
      (error) => post({ type: 'reply', id: msg.id, ok: false, error: String(error?.message ?? error), code: error?.code }),
    );
  }

  function onMessage(msg) {
    switch (msg.type) {
      case 'load':
        reply(msg, load(msg));
        break;
      case 'unload':
        reply(msg, unload(msg.path).then(() => ({})));
        break;
      case 'chat':
        chat(msg).catch((error) => post({ type: 'failed', runId: msg.runId, code: error?.code ?? 'upstream_error', message: String(error?.message ?? error) }));
        break;
      case 'abort':
        runs.get(msg.runId)?.abort();
        break;
      case 'embed':
        reply(msg, embed(msg));
        break;
      case 'close':
        for (const abort of runs.values()) abort.abort();
        reply(msg, Promise.all([...models.keys()].map((path) => unload(path))).then(() => ({})));
        break;
      default:
        break;
    }
  }

  return onMessage;
}

// Started as a worker thread by the agent: serve its port.
if (parentPort && workerData?.llamaEngine === true) {
  const port = parentPort;
  port.on('message', serve((message) => port.postMessage(message)));
}
