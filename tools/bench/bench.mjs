#!/usr/bin/env node
// npm run bench: upstream DIRECT vs THROUGH IIR, with everything on (a DB-issued key with RPM/TPM
// limits, the usage ledger, metrics, a request-log line per request, the response cache looked up
// and stored), in both shapes:
//   embedded: `npm start`'s one process (in-process bus, SQLite ledger, in-memory limiter and cache)
//   nats:     every service its own process over the local NATS, limits and cache on Redis
// closed-loop at several concurrencies, JSON and a 20-chunk stream, interleaved in one run. The load
// generator and the fake upstream are pinned to core 0 (taskset) so they do not compete with what is
// measured for the same core. CPU-ms per request is counted from /proc for IIR's processes, for
// nats-server and for redis-server separately.
import { spawn, execFileSync } from 'node:child_process';
import { Client } from 'undici';
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
// `embedded`, `nats`, or `embedded@<path of an all-in-one bundle>`: two bundles (this commit's and
// an older one built elsewhere) compared as an A/B, with BENCH_ROUNDS to interleave them.
// `+otel` (`embedded+otel`, `nats+otel`) turns tracing on, exporting to a sink the bench runs.
const SHAPES = (process.env.BENCH_SHAPES ?? 'embedded,nats').split(',');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 1);
const NATS_URL = process.env.BENCH_NATS_URL ?? 'nats://127.0.0.1:4222';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
// The key's limits: high enough never to refuse, so every request runs the full check and settlement.
const RPM = Number(process.env.BENCH_RPM ?? 1_000_000_000);
// BENCH_SOAK=N: after the table, N more requests at c=32 through the embedded shape, RSS after 10 000 and after N.
const SOAK = Number(process.env.BENCH_SOAK ?? 0);
// Extra node flags for the IIR processes, e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof".
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const hasTaskset = await new Promise((r) => spawn('taskset', ['-V']).on('error', () => r(false)).on('exit', (c) => r(c === 0)));
const pinned = (cmd, args) => (hasTaskset ? ['taskset', ['-c', '0', cmd, ...args]] : [cmd, args]);

const pidsOf = (name) => {
  try {
    return execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
function cpuMs(pids) {
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * (1000 / tick);
    } catch {}
  }
  return total;
}
function rssMb(pids) {
  let kb = 0;
  for (const pid of pids) {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    kb += Number(m?.[1] ?? 0);
  }
  return kb / 1024;
}

async function loadgen(url, concurrency, stream, extra = [], seconds = SECONDS) {
  const [cmd, args] = pinned(process.execPath, [
    path.join(here, 'loadgen.mjs'), '--url', url, '--concurrency', String(concurrency), '--seconds', String(seconds),
    ...(stream ? ['--stream'] : []), ...extra,
  ]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await new Promise((r) => child.on('exit', r));
  return JSON.parse(out.trim().split('\n').pop());
}

let sink;
/** An OTLP/HTTP endpoint that takes the spans and throws them away (its CPU is not IIR's). */
async function otlpSink() {
  if (!sink) {
    const { createServer } = await import('node:http');
    sink = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('{}'));
    });
    await new Promise((r) => sink.listen(0, '127.0.0.1', r));
    sink.unref();
  }
  return `http://127.0.0.1:${sink.address().port}`;
}

/** Starts one shape; returns its gateway URL, a key with limits, and the pids of its processes. */
async function startShape(shapeName, work, seed) {
  const [shapeAndFlags, bundle = path.join(root, 'dist/apps/all-in-one/main.js')] = shapeName.split('@');
  const [shape, ...flags] = shapeAndFlags.split('+');
  const adminKey = `iir-bench-admin-${randomBytes(8).toString('hex')}`;
  const dataDir = mkdtempSync(path.join(work, `${shape}-`));
  mkdirSync(dataDir, { recursive: true });
  const common = {
    IIR_DATA_DIR: dataDir, REGISTRY_SEED_FILE: seed, HTTP_HOST: '127.0.0.1',
    GATEWAY_AUTH: 'required', IIR_ADMIN_KEY: adminKey, LOG_LEVEL: 'info',
    ...(flags.includes('otel') ? { OTEL_EXPORTER_OTLP_ENDPOINT: await otlpSink() } : {}),
  };
  let gatewayChild;
  const processes = [];
  if (shape === 'embedded') {
    // npm start, minus the local agent (not on this path); no NATS_URL, no REDIS_URL
    gatewayChild = start(process.execPath, [...NODE_ARGS, path.resolve(bundle)], {
      ...common, NATS_URL: '', REDIS_URL: '', IIR_AGENT_ENABLED: 'false', GATEWAY_PORT: '0', REGISTRY_PORT: '0', ROUTER_PORT: '0', AUTH_PORT: '0', CLASSIFIER_PORT: '0',
    });
    processes.push(gatewayChild);
  } else {
    const prefix = `bench${randomBytes(4).toString('hex')}`;
    for (const [name, portVar] of [['registry', 'REGISTRY_PORT'], ['router', 'ROUTER_PORT'], ['auth', 'AUTH_PORT'], ['classifier', 'CLASSIFIER_PORT'], ['gateway', 'GATEWAY_PORT']]) {
      const child = start(process.execPath, [...NODE_ARGS, path.join(root, `dist/apps/${name}/main.js`)], {
        ...common, NATS_URL, NATS_SUBJECT_PREFIX: prefix, REDIS_URL: REDIS, [portVar]: '0',
      });
      processes.push(child);
      if (name === 'gateway') gatewayChild = child;
      else await waitForLine(child, (j) => j.msg === `${name} listening`, name);
    }
  }
  const listening = await waitForLine(gatewayChild, (j) => j.msg === 'gateway listening', `${shape} gateway`, 60_000);
  const gateway = `http://127.0.0.1:${listening.port}`;
  const created = await fetch(`${gateway}/api/v1/apikeys`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${adminKey}` },
    body: JSON.stringify({ description: 'bench', rpm: RPM, tpm: RPM * 1000 }),
  }).then((r) => r.json());
  const key = created.api_key;
  if (!key) throw new Error(`could not create the bench key: ${JSON.stringify(created)}`);
  // Wait until the router has the catalogue and a request goes through.
  for (let i = 0; ; i++) {
    const res = await fetch(`${gateway}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'bench/fast', messages: [{ role: 'user', content: 'hi' }] }),
    }).catch(() => undefined);
    if (res?.status === 200) break;
    if (i > 200) throw new Error(`gateway never answered 200 (last ${res?.status} ${await res?.text()})`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { shape: shapeName, gateway, key, pids: processes.map((c) => c.pid), processes };
}

async function stopAll(processes) {
  // Wait for the services to stop (they write their profiles on exit under --cpu-prof).
  await Promise.all(
    processes.map((c) => new Promise((resolve) => {
      if (c.exitCode !== null) return resolve();
      // what has not stopped by then is killed: a bench never leaves processes behind
      const timer = setTimeout(() => { c.kill('SIGKILL'); resolve(); }, 15_000);
      c.once('exit', () => { clearTimeout(timer); resolve(); });
      c.kill('SIGTERM');
    })),
  );
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'iir-bench-'));
  const [fcmd, fargs] = pinned(process.execPath, [path.join(root, 'dist/apps/bench-upstream/main.js')]);
  const upstream = start(fcmd, fargs);
  const { port: upstreamPort } = await waitForLine(upstream, (j) => j.port, 'fake upstream');
  const upstreamUrl = `http://127.0.0.1:${upstreamPort}/v1`;
  const seed = path.join(work, 'models.yaml');
  writeFileSync(seed, benchSeed(upstreamUrl));
  const natsPids = pidsOf('nats-server');
  const redisPids = pidsOf('redis-server');
  const rows = [];
  const soak = [];
  const bursts = [];
  for (let round = 1; round <= ROUNDS; round++) for (const shapeName of SHAPES) {
    const shape = await startShape(shapeName, work, seed);
    for (const mode of MODES) {
      for (const c of CONCURRENCY) {
        const stream = mode === 'stream';
        const direct = await loadgen(`${upstreamUrl}/chat/completions`, c, stream, ['--model', 'fast']);
        const before = { iir: cpuMs(shape.pids), nats: cpuMs(natsPids), redis: cpuMs(redisPids) };
        // every request: the key checked, limits admitted and settled, the cache looked up (a miss)
        // and the answer stored, one ledger record, metrics, one request-log line
        const iir = await loadgen(`${shape.gateway}/v1/chat/completions`, c, stream, ['--key', shape.key, '--cache', 'miss']);
        const n = Math.max(1, iir.count);
        rows.push({
          shape: ROUNDS > 1 ? `${shapeName} (round ${round})` : shapeName, mode, concurrency: c, direct, iir,
          cpu: {
            iir: (cpuMs(shape.pids) - before.iir) / n,
            nats: (cpuMs(natsPids) - before.nats) / n,
            redis: (cpuMs(redisPids) - before.redis) / n,
          },
          rssMb: rssMb(shape.pids),
        });
        process.stderr.write('.');
      }
    }
    if (process.env.BENCH_BURST !== '0' && shapeName === 'embedded' && round === 1) bursts.push(await burstRun(shape));
    if (SOAK > 0 && shapeName === 'embedded') soak.push(await soakRun(shape));
    await stopAll(shape.processes);
  }
  process.stderr.write('\n');
  const limiter = process.env.BENCH_LIMITER === '0' ? [] : limiterBench();
  print(rows, soak, limiter, bursts);
  mkdirSync(path.join(root, 'dist/bench'), { recursive: true });
  writeFileSync(path.join(root, 'dist/bench/results.json'), JSON.stringify({ rows, soak, limiter, bursts }, null, 2));
}

/**
 * A cold burst: 128 new connections at once, each its own undici Client (a pool would ramp its
 * connections up and hold requests back itself), while 32 warm connections keep the gateway busy.
 */
async function burstRun(shape) {
  const one = async (client, i) => {
    const t0 = performance.now();
    const res = await client.request({
      path: '/v1/chat/completions',
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${shape.key}` },
      body: JSON.stringify({ model: 'bench/fast', messages: [{ role: 'user', content: `burst ${i}` }] }),
    });
    await res.body.text();
    if (res.statusCode !== 200) throw new Error(`burst request answered ${res.statusCode}`);
    return performance.now() - t0;
  };
  const busy = Array.from({ length: 32 }, () => new Client(shape.gateway));
  for (const c of busy) await one(c, 0);
  let stop = false;
  const load = Promise.all(busy.map(async (c) => { while (!stop) await one(c, 1); }));
  await new Promise((r) => setTimeout(r, 500));
  const cold = Array.from({ length: 128 }, () => new Client(shape.gateway));
  const latencies = (await Promise.all(cold.map((c, i) => one(c, i)))).sort((a, b) => a - b);
  stop = true;
  await load;
  await Promise.all([...busy, ...cold].map((c) => c.close()));
  return { shape: shape.shape, p50: latencies[64], p90: latencies[115], max: latencies[127] };
}

/** The rate limiter alone at RPM 60 and RPM 1 000 000 (a busy key), in memory and on Redis. */
function limiterBench() {
  const out = execFileSync(process.execPath, [path.join(root, 'dist/apps/bench-limiter/main.js')], { encoding: 'utf8', env: { ...process.env, BENCH_REDIS_URL: REDIS } });
  return out.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

/**
 * RSS (and the V8 heap in use, from /metrics) after 10 000 requests and after each quarter of
 * SOAK more, at c=32: a leak grows steadily; a heap finding its working size levels off.
 */
async function soakRun(shape) {
  const url = `${shape.gateway}/v1/chat/completions`;
  const heapMb = async () => {
    const text = await fetch(`${shape.gateway}/metrics`).then((r) => r.text()).catch(() => '');
    const m = /^nodejs_heap_size_used_bytes (\S+)/m.exec(text);
    return m ? Number(m[1]) / 1048576 : NaN;
  };
  await loadgen(url, 32, false, ['--key', shape.key, '--cache', 'miss', '--requests', '10000'], 3600);
  const points = [{ requests: 10_000, rssMb: rssMb(shape.pids), heapMb: await heapMb() }];
  let maxMs = 0;
  let errors = 0;
  for (let q = 1; q <= 4; q++) {
    const run = await loadgen(url, 32, false, ['--key', shape.key, '--cache', 'miss', '--requests', String(Math.round(SOAK / 4))], 3600);
    maxMs = Math.max(maxMs, run.max);
    errors += run.errors;
    points.push({ requests: 10_000 + Math.round((SOAK * q) / 4), rssMb: rssMb(shape.pids), heapMb: await heapMb() });
  }
  return { shape: shape.shape, points, maxMs, errors };
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

function print(rows, soak, limiter, bursts) {
  const f = (n, d = 2) => n.toFixed(d);
  const head = '| shape | mode | conc | direct RPS | IIR RPS | IIR p50 | added p50 | IIR p99 | added p99 | direct max | IIR max | added TTFB p50 | CPU-ms/req IIR | nats-server | Redis | IIR + NATS + Redis | RSS MB | errors |';
  console.log(head);
  console.log(head.replace(/[^|]+/g, '---'));
  for (const r of rows) {
    const { direct: d, iir: i, cpu } = r;
    console.log(
      `| ${r.shape} | ${r.mode} | ${r.concurrency} | ${f(d.rps, 0)} | ${f(i.rps, 0)} | ${f(i.p50)} | +${f(i.p50 - d.p50)} | ${f(i.p99)} | +${f(i.p99 - d.p99)} | ${f(d.max)} | ${f(i.max)} | +${f(i.ttfbP50 - d.ttfbP50)} | ${f(cpu.iir, 3)} | ${f(cpu.nats, 3)} | ${f(cpu.redis, 3)} | ${f(cpu.iir + cpu.nats + cpu.redis, 3)} | ${f(r.rssMb, 0)} | ${i.errors} |`,
    );
  }
  console.log('\nLatencies in ms; "added" is IIR minus direct at the same percentile. CPU-ms/req: user+system CPU during the run divided by requests served,');
  console.log('for all IIR processes, for nats-server and for redis-server (the embedded shape uses neither). RSS: IIR processes after the cell.');
  for (const b of bursts) {
    console.log(`\nCold burst (${b.shape}): 128 new connections at once, one client each, while 32 warm ones keep it busy: p50 ${f(b.p50)} ms, p90 ${f(b.p90)} ms, max ${f(b.max)} ms`);
  }
  if (limiter.length > 0) {
    console.log(`\nThe rate limiter alone: admitKey + settle, 32 at a time, for a key that already made ${limiter[0].warm} requests in its window (µs of CPU per check):\n`);
    console.log('| backend | RPM | gateway µs/check | redis-server µs/check | admitted |');
    console.log('|---|---|---|---|---|');
    for (const l of limiter) console.log(`| ${l.backend} | ${l.rpm} | ${f(l.usPerOp, 1)} | ${f(l.redisUsPerOp, 1)} | ${l.allowed} of ${l.ops} |`);
  }
  for (const s of soak) {
    console.log(`\nSoak (${s.shape}, c=32, JSON, every request a cache miss: the cache fills to its 10 000 entries in the first 10 000): max ${f(s.maxMs)} ms, ${s.errors} errors\n`);
    console.log('| requests | RSS MB | V8 heap used MB |');
    console.log('|---|---|---|');
    for (const p of s.points) console.log(`| ${p.requests} | ${f(p.rssMb, 0)} | ${f(p.heapMb, 0)} |`);
    const [first, last] = [s.points[0], s.points[s.points.length - 1]];
    console.log(`\nRSS after ${last.requests} requests is ${f(((last.rssMb - first.rssMb) / first.rssMb) * 100, 1)} % above RSS after ${first.requests}.`);
  }
}

try {
  await main();
} finally {
  await stopAll(children);
}
