#!/usr/bin/env node
// A cold burst: 128 new connections at once, each its own undici Client (no pool ramp-up), while 32
// warm connections keep the gateway busy. `node tools/bench/burst-probe.mjs iir` (npm start's one
// process, open mode) or `... direct` (the fake upstream). Run `npm run build` first.
import { Client } from 'undici';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { start, waitForLine, children } from './processes.mjs';
const up = start('taskset', ['-c', '0', process.execPath, 'dist/apps/bench-upstream/main.js']);
const { port: upPort } = await waitForLine(up, (j) => j.port, 'up');
const work = mkdtempSync('/tmp/burst-');
writeFileSync(`${work}/models.yaml`, `models:\n  - name: bench/fast\n    provider: bench\n    kind: vllm\n    protocol: openai\n    base_url: http://127.0.0.1:${upPort}/v1\n    upstream_model: fast\n    context_window: 8192\n`);
const target = process.argv[2] ?? 'iir';
let origin;
if (target === 'iir') {
  const g = start(process.execPath, ['dist/apps/all-in-one/main.js'], { IIR_DATA_DIR: work, REGISTRY_SEED_FILE: `${work}/models.yaml`, HTTP_HOST: '127.0.0.1', GATEWAY_AUTH: 'open', NATS_URL: '', REDIS_URL: '', IIR_AGENT_ENABLED: 'false', GATEWAY_PORT: '0', REGISTRY_PORT: '0', ROUTER_PORT: '0', AUTH_PORT: '0', CLASSIFIER_PORT: '0', LOG_LEVEL: 'info' });
  const { port } = await waitForLine(g, (j) => j.msg === 'gateway listening', 'gw', 60000);
  origin = `http://127.0.0.1:${port}`;
} else origin = `http://127.0.0.1:${upPort}`;
const path = '/v1/chat/completions';
const body = (i) => JSON.stringify({ model: target === 'iir' ? 'bench/fast' : 'fast', messages: [{ role: 'user', content: `hi ${i}` }] });
const one = async (c, i) => { const t0 = performance.now(); const r = await c.request({ path, method: 'POST', headers: { 'content-type': 'application/json' }, body: body(i) }); await r.body.text(); return performance.now() - t0; };
// warm the server's code path on one connection
const w = new Client(origin); for (let i = 0; i < 200; i++) await one(w, i);
// busy background load on 32 warm connections while the burst of 128 new ones arrives
const bg = Array.from({ length: 32 }, () => new Client(origin)); for (const c of bg) await one(c, 0);
let stop = false; const bgRun = Promise.all(bg.map(async (c) => { while (!stop) await one(c, 1); }));
await new Promise((r) => setTimeout(r, 500));
const clients = Array.from({ length: 128 }, () => new Client(origin));
const lat = await Promise.all(clients.map((c, i) => one(c, i)));
stop = true; await bgRun;
lat.sort((a, b) => a - b);
console.log(`${target}: cold burst of 128 new connections under load: p50 ${lat[64].toFixed(0)} ms, p90 ${lat[115].toFixed(0)}, max ${lat[127].toFixed(0)}`);
for (const ch of children) ch.kill('SIGKILL');
process.exit(0);
