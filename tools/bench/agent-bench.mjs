#!/usr/bin/env node
// npm run bench:agent: the bundled tiny GGUF model called DIRECTLY with node-llama-cpp vs THROUGH
// IIR (npm start's one process: gateway → router → agent → its llama worker), interleaved in one
// run, same prompt, same token budget, greedy decoding, one thread. Prints time to first token
// and tokens/s for both and what IIR adds; then the idle cost of an agent process on its own
// (CPU share over BENCH_IDLE_S seconds, RSS without a loaded model).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { children, start as startProcess, waitForLine } from './processes.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const TOKENS = Number(process.env.BENCH_TOKENS ?? 128);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
const MODEL = path.join(root, 'models/stories260K.gguf');
const PROMPT = 'Once upon a time';
process.env.NODE_LLAMA_CPP_SKIP_DOWNLOAD = 'true';
const start = (args, env) => startProcess(process.execPath, args, env, { cwd: root });
const waitForLog = (child, test, what, timeoutMs = 30_000) => waitForLine(child, test, what, timeoutMs);

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (ns) => Number(ns) / 1e6;

async function direct(llama, model) {
  const { LlamaChat } = await import('node-llama-cpp');
  const context = await model.createContext({ contextSize: 2048, threads: 1, sequences: 1 });
  return {
    async run() {
      const sequence = context.getSequence();
      const chat = new LlamaChat({ contextSequence: sequence });
      const t0 = process.hrtime.bigint();
      let first;
      let tokens = 0;
      await chat.generateResponse([{ type: 'user', text: PROMPT }, { type: 'model', response: [] }], {
        maxTokens: TOKENS,
        temperature: 0,
        onToken: (t) => (tokens += t.length),
        onTextChunk: (text) => {
          if (first === undefined && text.length > 0) first = process.hrtime.bigint();
        },
      });
      const end = process.hrtime.bigint();
      chat.dispose({ disposeSequence: false });
      sequence.dispose();
      return { ttftMs: ms(first - t0), tokensPerS: ((tokens - 1) * 1000) / ms(end - first), tokens };
    },
    close: () => context.dispose(),
  };
}

async function throughIir(port) {
  return {
    async run() {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
        method: 'POST',
        // Greedy decoding is deterministic, so the response cache would answer: measure generation.
        headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        body: JSON.stringify({ model: 'local/stories-260k', stream: true, stream_options: { include_usage: true }, max_tokens: TOKENS, temperature: 0, messages: [{ role: 'user', content: PROMPT }] }),
      });
      let first;
      let last;
      let tokens = 0;
      let rest = '';
      for await (const piece of res.body) {
        rest += Buffer.from(piece).toString('utf8');
        let at;
        while ((at = rest.indexOf('\n\n')) >= 0) {
          const event = rest.slice(0, at);
          rest = rest.slice(at + 2);
          if (!event.startsWith('data: ') || event === 'data: [DONE]') continue;
          const chunk = JSON.parse(event.slice(6));
          if (chunk.choices?.[0]?.delta?.content) {
            first ??= process.hrtime.bigint();
            last = process.hrtime.bigint();
          }
          if (chunk.usage) tokens = chunk.usage.completion_tokens;
        }
      }
      return { ttftMs: ms(first - t0), tokensPerS: ((tokens - 1) * 1000) / ms(last - first), tokens };
    },
  };
}

function procStat(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  const rss = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return { cpuMs: cpuTicks * 10, rssMb: rss ? Number(rss[1]) / 1024 : NaN };
}

async function main() {
  await import('node:child_process').then(({ execFileSync }) => execFileSync(process.execPath, ['tools/build.mjs', 'all-in-one', 'agent'], { cwd: root, stdio: 'inherit', env: { ...process.env, IIR_BUILD_QUIET: '1' } }));
  const data = mkdtempSync(path.join(tmpdir(), 'iir-agent-bench-'));
  const ports = { GATEWAY_PORT: '0', ROUTER_PORT: '0', REGISTRY_PORT: '0', AUTH_PORT: '0', CLASSIFIER_PORT: '0', AGENT_PORT: '0' };
  const iir = start(['dist/apps/all-in-one/main.js'], { ...ports, HTTP_HOST: '127.0.0.1', IIR_DATA_DIR: data, NATS_URL: '', AGENT_BACKENDS: 'llama', AGENT_PRELOAD: 'true', AGENT_THREADS: '1', LOG_LEVEL: 'info' });
  const gw = await waitForLog(iir, (j) => j.msg === 'gateway listening', 'the gateway');
  const agentApi = await waitForLog(iir, (j) => j.msg === 'agent listening', 'the agent API');
  await waitForLog(iir, (j) => typeof j.msg === 'string' && j.msg.startsWith('registered'), 'the agent to register');

  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, maxThreads: 1, logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: MODEL });
  const a = await direct(llama, model);
  const b = await throughIir(gw.port);
  // The agent's own API in the same process: what the agent costs without the gateway and the bus.
  const c = await throughIir(agentApi.port);
  await a.run();
  await b.run(); // warm-up: loads, JIT, first plan
  await c.run();
  const results = { direct: [], iir: [], agent: [] };
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? [['direct', a], ['iir', b], ['agent', c]] : [['agent', c], ['iir', b], ['direct', a]];
    for (const [name, side] of order) results[name].push(await side.run());
  }
  await a.close();
  await model.dispose();
  await llama.dispose();

  const row = (name, rs) => ({ name, ttft: median(rs.map((r) => r.ttftMs)), tps: median(rs.map((r) => r.tokensPerS)), tokens: median(rs.map((r) => r.tokens)) });
  const d = row('direct node-llama-cpp', results.direct);
  const t = row('through IIR (npm start)', results.iir);
  const g = row('the agent API alone (no gateway, no bus)', results.agent);
  console.log(`\nagent bench: ${ROUNDS} interleaved rounds, ${TOKENS} tokens max, stories-260k, 1 thread, medians`);
  console.log('| path | time to first token | tokens/s | tokens |');
  console.log('|---|---|---|---|');
  for (const r of [d, g, t]) console.log(`| ${r.name} | ${r.ttft.toFixed(2)} ms | ${r.tps.toFixed(0)} | ${r.tokens} |`);
  console.log(`| IIR adds | +${(t.ttft - d.ttft).toFixed(2)} ms | ${(((d.tps - t.tps) / d.tps) * 100).toFixed(1)}% per token | |`);
  iir.kill('SIGTERM');

  // An agent on its own (no NATS here: its registration retries with backoff), model not loaded.
  // Started as `npm run agent` and the launchd plist start it (a 1 MB young generation).
  const agent = start(['--max-semi-space-size=1', 'dist/apps/agent/main.js'], { AGENT_PORT: '0', HTTP_HOST: '127.0.0.1', NATS_URL: '', AGENT_BACKENDS: 'llama,ollama,openai-compatible', LOG_LEVEL: 'warn' });
  await new Promise((r) => setTimeout(r, 3_000));
  const before = procStat(agent.pid);
  await new Promise((r) => setTimeout(r, IDLE_S * 1000));
  const after = procStat(agent.pid);
  console.log(`\nagent idle (own process, discovery every 10 s, heartbeat timer, no model loaded), over ${IDLE_S} s:`);
  console.log(`| CPU | ${(((after.cpuMs - before.cpuMs) / (IDLE_S * 1000)) * 100).toFixed(2)}% of a core |`);
  console.log(`| RSS | ${after.rssMb.toFixed(1)} MB |`);
  agent.kill('SIGTERM');
}

main()
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  });
