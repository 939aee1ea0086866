#!/usr/bin/env node
// npm run bench: upstream DIRECT vs THROUGH IIR (every service its own process, over real NATS),
// closed-loop at several concurrencies, JSON and streaming, interleaved in one run.
// Prints RPS, p50/p99/max latency, time to first byte, latency IIR adds over direct, and CPU-ms per
// request summed over the IIR processes. The load generator and the fake upstream are pinned to
// core 0 (taskset) so they do not compete with what is measured for the same core.
import { spawn } from 'node:child_process';
import { children, start, waitForLine } from './processes.mjs';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const here = path.join(root, 'tools/bench');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '1,8,32,128').split(',').map(Number);
const MODES = (process.env.BENCH_MODES ?? 'json,stream').split(',');
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Extra node flags for the IIR processes, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const hasTaskset = await new Promise((r) => spawn('taskset', ['-V']).on('error', () => r(false)).on('exit', (c) => r(c === 0)));
const pinned = (cmd, args) => (hasTaskset ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args]);
function cpuMs(pids) {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    total += (Number(fields[11]) + Number(fields[12])) * (1000 / tick);
  }
  return total;
}

async function loadgen(url, concurrency, stream, extra = []) {
  const [cmd, args] = pinned(process.execPath, [
    path.join(here, 'loadgen.mjs'), '--url', url, '--concurrency', String(concurrency), '--seconds', String(SECONDS),
    ...(stream ? ['--stream'] : []), ...extra,
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('exit', r));
  return JSON.parse(out.trim().split('\n').pop());
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'iir-bench-'));
  const [fcmd, fargs] = pinned(process.execPath, [path.join(root, 'dist/apps/bench-upstream/main.js')]);
  const upstream = start(fcmd, fargs);
  const { port: upstreamPort } = await waitForLine(upstream, (j) => j.port, 'fake upstream');
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  const seed = path.join(work, 'models.yaml');
  writeFileSync(seed, benchSeed(upstreamUrl));
  const prefix = `bench${randomBytes(4).toString('hex')}`;
  const common = {
    NATS_URL,
    NATS_SUBJECT_PREFIX: prefix,
    IIR_DATA_DIR: work,
    REGISTRY_SEED_FILE: seed,
    LOG_LEVEL: 'warn',
    HTTP_HOST: '127.0.0.1',
  };
  const services = {};
  for (const [name, portVar] of [['registry', 'REGISTRY_PORT'], ['router', 'ROUTER_PORT'], ['auth', 'AUTH_PORT'], ['classifier', 'CLASSIFIER_PORT'], ['gateway', 'GATEWAY_PORT']]) {
    // REDIS_URL: the response cache is Redis's (as in a cluster); anonymous requests have no rate limits.
    services[name] = start(process.execPath, [...NODE_ARGS, path.join(root, `dist/apps/${name}/main.js`)], { ...common, LOG_LEVEL: 'info', REDIS_URL: REDIS, [portVar]: '0' });
  }
  // A second gateway with keys and rate limits on: every request is a DB-issued key verified (cached)
  // and a Redis rate-limit check (RPM + TPM) with settlement, plus a usage record on JetStream.
  const adminKey = `iir-bench-admin-${randomBytes(8).toString('hex')}`;
  const gatewayAuth = start(process.execPath, [path.join(root, 'dist/apps/gateway/main.js')], {
    ...common, LOG_LEVEL: 'info', GATEWAY_PORT: '0', GATEWAY_AUTH: 'required', IIR_ADMIN_KEY: adminKey, REDIS_URL: REDIS,
  });
  const listening = {};
  for (const [name, child] of [...Object.entries(services), ['gateway-auth', gatewayAuth]]) {
    listening[name] = await waitForLine(child, (j) => j.msg === `gateway listening` || j.msg === `${name} listening`, name);
  }
  const gateway = `http://127.0.0.1:${listening.gateway.port}`;
  const gatewayWithAuth = `http://127.0.0.1:${listening['gateway-auth'].port}`;
  const created = await fetch(`${gatewayWithAuth}/api/v1/apikeys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ description: 'bench', rpm: 1_000_000_000, tpm: 1_000_000_000_000 }),
  }).then((r) => r.json());
  const benchKey = created.api_key;
  if (!benchKey) throw new Error(`could not create the bench key: ${JSON.stringify(created)}`);
  // Wait until the router has the catalogue and a request goes through.
  for (let i = 0; ; i++) {
    const res = await fetch(`${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'bench/fast', messages: [{ role: 'user', content: 'hi' }] }),
    }).catch(() => undefined);
    if (res?.status === 200) break;
    if (i > 200) throw new Error(`gateway never answered 200 (last ${res?.status} ${await res?.text()})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const pids = Object.values(services).map((c) => c.pid);
  const authPids = [...Object.values(services).filter((c) => c !== services.gateway), gatewayAuth].map((c) => c.pid);
  const rows = [];
  for (const mode of MODES) {
    for (const c of CONCURRENCY) {
      const stream = mode === 'stream';
      const direct = await loadgen(`${upstreamUrl}/chat/completions`, c, stream, ['--model', 'fast']);
      const cpu0 = cpuMs(pids);
      const per0 = Object.fromEntries(Object.entries(services).map(([n, ch]) => [n, cpuMs([ch.pid])]));
      const viaIir = await loadgen(`${gateway}/v1/chat/completions`, c, stream);
      const cpu1 = cpuMs(pids);
      const perService = Object.fromEntries(
        Object.entries(services).map(([n, ch]) => [n, Number(((cpuMs([ch.pid]) - per0[n]) / Math.max(1, viaIir.count)).toFixed(3))]),
      );
      if (process.env.BENCH_VERBOSE) process.stderr.write(`\n${mode} c=${c} CPU-ms/req by service: ${JSON.stringify(perService)}\n`);
      const cpu2 = cpuMs(authPids);
      const withAuth = await loadgen(`${gatewayWithAuth}/v1/chat/completions`, c, stream, ['--key', benchKey]);
      const cpu3 = cpuMs(authPids);
      // The response cache: every request unique (misses: looked up, planned, stored) vs one repeated
      // request (hits: answered from the cache, no plan, no upstream call).
      const cpu4 = cpuMs(pids);
      const misses = await loadgen(`${gateway}/v1/chat/completions`, c, stream, ['--cache', 'miss']);
      const cpu5 = cpuMs(pids);
      const hits = await loadgen(`${gateway}/v1/chat/completions`, c, stream, ['--cache', 'hit']);
      const cpu6 = cpuMs(pids);
      rows.push({
        misses, missCpuMsPerRequest: (cpu5 - cpu4) / Math.max(1, misses.count),
        hits, hitCpuMsPerRequest: (cpu6 - cpu5) / Math.max(1, hits.count),
        mode, concurrency: c, direct, iir: viaIir, perService, cpuMsPerRequest: (cpu1 - cpu0) / Math.max(1, viaIir.count),
        auth: withAuth, authCpuMsPerRequest: (cpu3 - cpu2) / Math.max(1, withAuth.count),
      });
      process.stderr.write(`.`);
    }
  }
  process.stderr.write('\n');
  print(rows);
  mkdirSync(path.join(root, 'dist/bench'), { recursive: true });
  writeFileSync(path.join(root, 'dist/bench/results.json'), JSON.stringify(rows, null, 2));
}

function benchSeed(baseUrl) {
  return [
    'models:',
    '  - name: bench/fast',
    '    provider: bench',
    '    kind: vllm',
    '    protocol: openai',
    `    base_url: ${baseUrl}`,
    '    upstream_model: fast',
    '    context_window: 8192',
    '',
  ].join('\n');
}

function print(rows) {
  const f = (n, d = 2) => n.toFixed(d);
  const head = '| mode | conc | direct RPS | IIR RPS | direct p50 | IIR p50 | added p50 | direct p99 | IIR p99 | added p99 | IIR max | direct TTFB p50 | IIR TTFB p50 | added TTFB | IIR CPU-ms/req | errors |';
  console.log(head);
  console.log(head.replace(/[^|]+/g, '---'));
  for (const r of rows) {
    const { direct: d, iir: i } = r;
    console.log(
      `| ${r.mode} | ${r.concurrency} | ${f(d.rps, 0)} | ${f(i.rps, 0)} | ${f(d.p50)} | ${f(i.p50)} | +${f(i.p50 - d.p50)} | ${f(d.p99)} | ${f(i.p99)} | +${f(i.p99 - d.p99)} | ${f(i.max)} | ${f(d.ttfbP50)} | ${f(i.ttfbP50)} | +${f(i.ttfbP50 - d.ttfbP50)} | ${f(r.cpuMsPerRequest, 3)} | ${i.errors} |`,
    );
  }
  console.log('\nWith keys and rate limits on (a second gateway: IIR_ADMIN_KEY, a DB-issued key with RPM/TPM limits, Redis):\n');
  const head2 = '| mode | conc | IIR RPS | +auth RPS | IIR p50 | +auth p50 | IIR p99 | +auth p99 | IIR CPU-ms/req | +auth CPU-ms/req | auth adds CPU-ms/req | errors |';
  console.log(head2);
  console.log(head2.replace(/[^|]+/g, '---'));
  for (const r of rows) {
    const { iir: i, auth: a } = r;
    console.log(
      `| ${r.mode} | ${r.concurrency} | ${f(i.rps, 0)} | ${f(a.rps, 0)} | ${f(i.p50)} | ${f(a.p50)} | ${f(i.p99)} | ${f(a.p99)} | ${f(r.cpuMsPerRequest, 3)} | ${f(r.authCpuMsPerRequest, 3)} | +${f(r.authCpuMsPerRequest - r.cpuMsPerRequest, 3)} | ${a.errors} |`,
    );
  }
  console.log('\nResponse cache (temperature 0; misses: every request unique; hits: one request repeated):\n');
  const head3 = '| mode | conc | miss RPS | hit RPS | hit/miss RPS | miss p50 | hit p50 | miss CPU-ms/req | hit CPU-ms/req | errors |';
  console.log(head3);
  console.log(head3.replace(/[^|]+/g, '---'));
  for (const r of rows) {
    const { misses: m, hits: h } = r;
    console.log(
      `| ${r.mode} | ${r.concurrency} | ${f(m.rps, 0)} | ${f(h.rps, 0)} | ${f(h.rps / Math.max(1, m.rps), 1)}x | ${f(m.p50)} | ${f(h.p50)} | ${f(r.missCpuMsPerRequest, 3)} | ${f(r.hitCpuMsPerRequest, 3)} | ${m.errors + h.errors} |`,
    );
  }
  console.log('\nLatencies in ms. CPU-ms/req: user+system CPU of all IIR processes (gateway, router, registry, auth, classifier) during the IIR run, divided by requests.');
}

try {
  await main();
} finally {
  // Wait for the services to stop (they write their profiles on exit under --cpu-prof).
  await Promise.all(
    children.map((c) => new Promise((resolve) => {
      if (c.exitCode !== null) return resolve();
      const timer = setTimeout(resolve, 10_000);
      c.once('exit', () => { clearTimeout(timer); resolve(); });
      c.kill('SIGTERM');
    })),
  );
}
