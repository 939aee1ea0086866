// Child processes for the benches: spawn with captured output, wait for a JSON log line.
import { spawn } from 'node:child_process';

export const children = [];

export function start(cmd, args, env = {}, options = {}) {
  const child = spawn(cmd, args, { ...options, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.output = () => out;
  return child;
}

export function waitForLine(child, test, what, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}:\n${child.output()}`)), timeoutMs);
    const check = () => {
      for (const line of child.output().split('\n')) {
        try {
          const j = JSON.parse(line);
          if (test(j)) {
            clearTimeout(timer);
            child.stdout.off('data', check);
            return resolve(j);
          }
        } catch {}
      }
    };
    child.stdout.on('data', check);
    child.on('exit', (code) => reject(new Error(`${what} exited with ${code}:\n${child.output()}`)));
    check();
  });
}
