#!/usr/bin/env node
// Closed-loop load generator: N workers, each sends a request as soon as its previous one is done.
// Prints one JSON line: count, errors, rps, latency percentiles and time to first byte.
// Usage: node loadgen.mjs --url URL --concurrency N --seconds S [--requests R] [--stream] [--key K] [--model M]
//        [--cache hit|miss]: temperature 0 (cacheable); `hit` repeats one body, `miss` makes every body unique.
//        [--dump FILE]: also write every latency and time to first byte (ms) to FILE as JSON.
import { Pool } from 'undici';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
    return acc;
  }, []),
);
const url = new URL(args.url);
const concurrency = Number(args.concurrency ?? 1);
const seconds = Number(args.seconds ?? 5);
const maxRequests = Number(args.requests ?? Infinity);
const stream = args.stream === 'true';
const warmup = Number(args.warmup ?? 50);
const cache = args.cache;
let unique = 0;
const bodyOf = (content) =>
  JSON.stringify({
    model: args.model ?? 'bench/fast',
    messages: [{ role: 'user', content }],
    temperature: cache ? 0 : 0.7,
    ...(stream ? { stream: true } : {}),
  });
const fixed = bodyOf(`Say hello in one short sentence.${cache === 'hit' ? ` ${process.pid}` : ''}`);
const nextBody = () => (cache === 'miss' ? bodyOf(`Say hello in one short sentence. ${process.pid}-${unique++}`) : fixed);
const headers = { 'content-type': 'application/json', ...(args.key ? { authorization: `Bearer ${args.key}` } : {}) };
const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 30_000 });

async function one() {
  const t0 = performance.now();
  const res = await pool.request({ path: url.pathname, method: 'POST', headers, body: nextBody() });
  let ttfb = 0;
  let first = true;
  for await (const chunk of res.body) {
    if (first) {
      ttfb = performance.now() - t0;
      first = false;
    }
    void chunk;
  }
  const total = performance.now() - t0;
  return { ok: res.statusCode === 200, total, ttfb: first ? total : ttfb };
}

// Warm-up on every connection the run will use: the measured window starts with the pool open
// (a cold burst of new connections is a different measurement: --warmup 0).
for (let i = 0; i < warmup; i++) await one();
if (warmup > 0) await Promise.all(Array.from({ length: concurrency }, async () => { for (let i = 0; i < 3; i++) await one(); }));

const latencies = [];
const starts = [];
const ttfbs = [];
let errors = 0;
let sent = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
async function worker() {
  while (performance.now() < deadline && sent < maxRequests) {
    sent++;
    try {
      const r = await one();
      if (!r.ok) errors++;
      latencies.push(r.total);
      starts.push(performance.now() - r.total - started);
      ttfbs.push(r.ttfb);
    } catch {
      errors++;
    }
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const elapsed = (performance.now() - started) / 1000;
await pool.close();

if (args.dump) (await import('node:fs')).writeFileSync(args.dump, JSON.stringify({ latencies, ttfbs, starts }));
const pct = (xs, p) => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
process.stdout.write(
  JSON.stringify({
    count: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies.reduce((m, x) => (x > m ? x : m), 0),
    ttfbP50: pct(ttfbs, 50),
    ttfbP99: pct(ttfbs, 99),
  }) + '\n',
);
