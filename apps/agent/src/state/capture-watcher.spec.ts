import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@iir/testing';
import { CaptureWatcher, type CaptureWatcherOptions } from './capture-watcher';
import { REAL_SYSTEM, type SystemAccess } from './system-access';

/**
 * A stand-in for the macOS helper, as a real child process speaking its stdout protocol:
 * `file <path>` prints the file's content every 50 ms; `once <line>` prints it and then stays
 * silent; `exit <line>` prints it and exits with 1; `done <line>` prints it and exits with 0 (the
 * helper's own hourly end).
 */
const STAND_IN = `
const [mode, arg] = process.argv.slice(1);
const fs = require('fs');
const say = (line) => process.stdout.write(line + '\\n');
if (mode === 'file') setInterval(() => { try { say(fs.readFileSync(arg, 'utf8').trim()); } catch {} }, 50);
if (mode === 'once') { say(arg); setInterval(() => undefined, 1000); }
if (mode === 'exit') { say('not a reading'); say(arg); setTimeout(() => process.exit(1), 20); }
if (mode === 'done') { say(arg); setTimeout(() => process.exit(0), 20); }
`;

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe(CaptureWatcher.name, () => {
  let watchers: CaptureWatcher[] = [];
  let dir: string;
  /** A watcher of the stand-in, with the pids of the helpers it started (its own only). */
  const watch = (args: string[], options: Partial<CaptureWatcherOptions> = {}): { w: CaptureWatcher; pids: number[]; system: SystemAccess } => {
    const pids: number[] = [];
    const system: SystemAccess = {
      ...REAL_SYSTEM,
      spawn: (cmd, a) => {
        const child = (REAL_SYSTEM.spawn as NonNullable<SystemAccess['spawn']>)(cmd, a);
        if (child.pid) pids.push(child.pid);
        return child;
      },
    };
    const w = new CaptureWatcher({ command: process.execPath, args: ['-e', STAND_IN, ...args], intervalMs: 50, staleAfterMs: 400, restartDelaysMs: [100], ...options });
    watchers.push(w);
    return { w, pids, system };
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'capture-'));
  });
  afterEach(() => {
    for (const w of watchers) w.close();
    watchers = [];
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('starts the helper on the first read, waits for its first line, then answers the latest one', async () => {
    const file = path.join(dir, 'state.json');
    writeFileSync(file, '{"camera":false,"microphone":false}');
    const { w, system } = watch(['file', file]);
    expect(await w.read(system, 5_000)).toEqual({ camera_in_use: false, microphone_in_use: false });
    writeFileSync(file, '{"camera":true,"microphone":"unknown"}');
    await waitFor(async () => (await w.read(system, 1_000)).camera_in_use === true, { timeoutMs: 5_000, what: 'the camera to be in use' });
    expect(await w.read(system, 1_000)).toEqual({ camera_in_use: true });
  });

  it('says unknown once a live helper has gone silent, ends it and starts it afresh', async () => {
    const problems: string[] = [];
    const { w, pids, system } = watch(['once', '{"camera":true,"microphone":true}'], { onProblem: (m) => problems.push(m) });
    expect(await w.read(system, 5_000)).toEqual({ camera_in_use: true, microphone_in_use: true });
    const first = pids[0] as number;
    await waitFor(async () => Object.keys(await w.read(system, 10)).length === 0, { timeoutMs: 5_000, what: 'the reading to go stale' });
    await waitFor(() => !alive(first) && pids.length >= 2, { timeoutMs: 5_000, what: 'the silent helper to be replaced' });
    expect(problems[0]).toMatch(/printed nothing for 0 s/);
    await waitFor(async () => (await w.read(system, 1_000)).camera_in_use === true, { timeoutMs: 5_000, what: 'a reading from the new helper' });
  });

  it('restarts a helper that ended, says why once, and reads it again', async () => {
    const problems: string[] = [];
    const { w, pids, system } = watch(['exit', '{"camera":false,"microphone":true}'], { onProblem: (m) => problems.push(m) });
    expect(await w.read(system, 5_000)).toEqual({ camera_in_use: false, microphone_in_use: true });
    await waitFor(() => pids.length >= 3, { timeoutMs: 10_000, what: 'the helper to be restarted twice' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/ended \(code 1\).*unknown until it runs again/);
  });

  it('starts a helper that ended by itself after a healthy run again at once, and tells nobody', async () => {
    const problems: string[] = [];
    const { w, pids, system } = watch(['done', '{"camera":false,"microphone":false}'], { healthyAfterMs: 0, restartDelaysMs: [60_000], onProblem: (m) => problems.push(m) });
    await w.read(system, 5_000);
    await waitFor(() => pids.length >= 3, { timeoutMs: 10_000, what: 'the helper to be started again without the backoff' });
    expect(problems).toEqual([]);
  });

  it('answers unknown when the helper cannot start at all, and never throws', async () => {
    const problems: string[] = [];
    const { w, system } = watch([], { command: path.join(dir, 'no-such-helper'), restartDelaysMs: [50], onProblem: (m) => problems.push(m) });
    expect(await w.read(system, 500)).toEqual({});
    await waitFor(() => problems.length === 1, { timeoutMs: 5_000, what: 'the problem to be told' });
    expect(problems[0]).toMatch(/ENOENT/);
    expect(await w.read(system, 100)).toEqual({});
  });

  it('stops its helper on close, and starts none without a way to spawn', async () => {
    const { w, pids, system } = watch(['once', '{"camera":false,"microphone":false}'], { staleAfterMs: 60_000 });
    await w.read(system, 5_000);
    expect(pids).toHaveLength(1);
    const pid = pids[0] as number;
    expect(alive(pid)).toBe(true);
    w.close();
    await waitFor(() => !alive(pid), { timeoutMs: 5_000, what: 'the helper to end' });
    expect(await w.read(system, 100)).toEqual({});
    expect(pids).toHaveLength(1);

    const other = watch(['once', '{"camera":true,"microphone":true}']);
    expect(await other.w.read({ run: REAL_SYSTEM.run, files: REAL_SYSTEM.files }, 100)).toEqual({});
    expect(other.pids).toEqual([]);
  });
});
