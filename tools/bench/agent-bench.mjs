#!/usr/bin/env node
// npm run bench:agent: the bundled tiny GGUF model called DIRECTLY with node-llama-cpp vs THROUGH
// IIR (npm start's one process: gateway → router → agent → node-llama-cpp), interleaved in one
// run, same prompt, same token budget, greedy decoding, one thread. Beside them, for scale: the
// agent's own API, and a minimal hand-written server (node:http in front of node-llama-cpp in a
// process of its own, one SSE write per token). HTTP paths are read with node:http on a kept-alive connection (what a lean
// client costs); one row reads IIR with fetch() to show what a heavier client adds on its side.
// Prints time to first token and tokens/s, and what IIR adds; then the idle cost of an agent
// process on its own (CPU share over BENCH_IDLE_S seconds, RSS without a loaded model).
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
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
// BENCH_BASELINE=<path of another build's dist/apps/all-in-one/main.js>: that build's `npm start` runs
// beside this one, interleaved, so a change's effect on the first token is measured in one run.
const BASELINE = process.env.BENCH_BASELINE;
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

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** One streamed chat over HTTP; first and last content chunks timed as they arrive. */
function streamed(port, path, client) {
  // Greedy decoding is deterministic, so the response cache would answer: measure generation.
  const body = JSON.stringify({ model: 'local/stories-260k', stream: true, stream_options: { include_usage: true }, max_tokens: TOKENS, temperature: 0, messages: [{ role: 'user', content: PROMPT }] });
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  return {
    async run() {
      let first;
      let last;
      let tokens = 0;
      let rest = '';
      const onText = (piece) => {
        rest += piece;
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
      };
      const t0 = process.hrtime.bigint();
      if (client === 'fetch') {
        const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers, body });
        for await (const piece of res.body) onText(Buffer.from(piece).toString('utf8'));
      } else {
        await new Promise((resolve, reject) => {
          const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: keepAlive, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
            res.setEncoding('utf8');
            res.on('data', onText);
            res.on('end', resolve);
            res.on('error', reject);
          });
          req.on('error', reject);
          req.end(body);
        });
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

/** One `npm start` process from a bundle (run from its own checkout), with its gateway's and agent's ports. */
async function bootIir(bundle) {
  const data = mkdtempSync(path.join(tmpdir(), 'iir-agent-bench-'));
  const ports = { GATEWAY_PORT: '0', ROUTER_PORT: '0', REGISTRY_PORT: '0', AUTH_PORT: '0', CLASSIFIER_PORT: '0', AGENT_PORT: '0' };
  const iir = startProcess(process.execPath, [bundle], { ...ports, HTTP_HOST: '127.0.0.1', IIR_DATA_DIR: data, NATS_URL: '', AGENT_BACKENDS: 'llama', AGENT_PRELOAD: 'true', AGENT_THREADS: '1', LOG_LEVEL: 'info' }, { cwd: path.resolve(path.dirname(bundle), '../../..') });
  const gw = await waitForLog(iir, (j) => j.msg === 'gateway listening', 'the gateway');
  const agentApi = await waitForLog(iir, (j) => j.msg === 'agent listening', 'the agent API');
  await waitForLog(iir, (j) => typeof j.msg === 'string' && j.msg.startsWith('registered'), 'the agent to register');
  return { iir, gw, agentApi };
}

async function main() {
  await import('node:child_process').then(({ execFileSync }) => execFileSync(process.execPath, ['tools/build.mjs', 'all-in-one', 'agent'], { cwd: root, stdio: 'inherit', env: { ...process.env, IIR_BUILD_QUIET: '1' } }));
  const bare = start(['tools/bench/bare-llama-server.mjs'], { BARE_MODEL: MODEL });
  const { iir, gw, agentApi } = await bootIir(path.join(root, 'dist/apps/all-in-one/main.js'));
  const baseline = BASELINE ? await bootIir(path.resolve(BASELINE)) : undefined;

  const { getLlama } = await import('node-llama-cpp');
  const llama = await getLlama({ gpu: false, build: 'never', skipDownload: true, maxThreads: 1, logLevel: 'error' });
  const model = await llama.loadModel({ modelPath: MODEL });
  const bareServer = await waitForLog(bare, (j) => j.msg === 'bare server listening', 'the bare HTTP server');
  const sides = {
    direct: await direct(llama, model),
    bare: streamed(bareServer.port, '/', 'http'),
    // The agent's own API in the same process: what the agent costs without the gateway and the bus.
    agent: streamed(agentApi.port, '/v1/chat/completions', 'http'),
    iir: streamed(gw.port, '/v1/chat/completions', 'http'),
    // Next to this build's row in either order, so both have the same neighbours (never the direct call).
    ...(baseline ? { baseline: streamed(baseline.gw.port, '/v1/chat/completions', 'http') } : {}),
    iirFetch: streamed(gw.port, '/v1/chat/completions', 'fetch'),
  };
  const names = Object.keys(sides);
  for (const name of names) await sides[name].run(); // warm-up: loads, JIT, first plan
  const results = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const name of order) results[name].push(await sides[name].run());
  }
  const a = sides.direct;
  await a.close();
  await model.dispose();
  await llama.dispose();

  const row = (name, rs) => ({ name, ttft: median(rs.map((r) => r.ttftMs)), tps: median(rs.map((r) => r.tokensPerS)), tokens: median(rs.map((r) => r.tokens)) });
  const d = row('direct node-llama-cpp (in the bench process, no HTTP)', results.direct);
  const b = row('a minimal node:http server → node-llama-cpp (for scale)', results.bare);
  const g = row("the agent's own API (HTTP → agent → node-llama-cpp)", results.agent);
  const t = row('through IIR (npm start: HTTP → gateway → router → agent → node-llama-cpp)', results.iir);
  const f = row('through IIR, read with fetch() (undici) instead', results.iirFetch);
  console.log(`\nagent bench: ${ROUNDS} interleaved rounds, ${TOKENS} tokens max, stories-260k, 1 thread, medians`);
  console.log('| path | time to first token | tokens/s | tokens |');
  console.log('|---|---|---|---|');
  for (const r of [d, b, g, t, f]) console.log(`| ${r.name} | ${r.ttft.toFixed(2)} ms | ${r.tps.toFixed(0)} | ${r.tokens} |`);
  const pct = (x) => `${(((d.tps - x.tps) / d.tps) * 100).toFixed(1)}%`;
  console.log(`| IIR adds (vs direct) | +${(t.ttft - d.ttft).toFixed(2)} ms | ${pct(t)} per token | |`);
  console.log(`| the minimal server adds (vs direct) | +${(b.ttft - d.ttft).toFixed(2)} ms | ${pct(b)} per token | |`);
  if (baseline) {
    const base = row(`through IIR, the baseline build (${BASELINE})`, results.baseline);
    console.log(`| ${base.name} | ${base.ttft.toFixed(2)} ms | ${base.tps.toFixed(0)} | ${base.tokens} |`);
    console.log(`| this build vs the baseline | ${(t.ttft - base.ttft >= 0 ? '+' : '') + (t.ttft - base.ttft).toFixed(2)} ms | | |`);
    baseline.iir.kill('SIGTERM');
  }
  iir.kill('SIGTERM');
  bare.kill('SIGTERM');

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
