#!/usr/bin/env node
// Before the test suites: are the real NATS, Redis and PostgreSQL the integration tests use up?
// With CI set, a missing one fails the run with a message saying how to start it (never a skip).
import net from 'node:net';

const services = [
  { name: 'NATS', url: process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222',
    start: 'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server' },
  { name: 'Redis', url: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    start: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no' },
  { name: 'PostgreSQL', url: process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    start: 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start' },
];

const reach = ({ hostname, port }) =>
  new Promise((resolve) => {
    const s = net.connect({ host: hostname, port: Number(port) });
    const done = (ok) => { s.destroy(); resolve(ok); };
    s.setTimeout(1000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => done(true));
  });

let missing = 0;
for (const s of services) {
  if (await reach(new URL(s.url))) continue;
  missing++;
  console.error(`${s.name} is not reachable at ${s.url}. The integration tests need it. Start it with:\n  ${s.start}`);
}
if (missing) {
  if (process.env.CI) process.exit(1);
  console.error('(CI is not set: continuing; the integration tests that need them will fail with the same message)');
}
