import { macosFixture } from './fixtures/read-fixture';
import { type MachineState, UNKNOWN_STATE } from './machine-state';
import { MachineStateProbe, mergeKnown } from './machine-state.probe';
import { spawn } from 'node:child_process';
import type { CommandRunner, FileReader, HelperSpawner } from './system-access';

const noFiles: FileReader = {
  readFile: () => Promise.reject(new Error('ENOENT')),
  readDir: () => Promise.reject(new Error('ENOENT')),
};

/** Answers each macOS command with its fixture; anything else is "not installed". */
function macRunner(overrides: Record<string, string> = {}): CommandRunner {
  const outputs: Record<string, string> = {
    'pmset -g batt': macosFixture('pmset-batt-battery.txt'),
    'pmset -g': macosFixture('pmset-g-lowpower-on.txt'),
    'notifyutil -g com.apple.system.thermalpressurelevel': macosFixture('notifyutil-thermal-heavy.txt'),
    'pmset -g therm': macosFixture('pmset-therm-none.txt'),
    'sysctl -n kern.memorystatus_vm_pressure_level': macosFixture('sysctl-vm-pressure-warn.txt'),
    memory_pressure: macosFixture('memory-pressure-normal.txt'),
    'ioreg -c IOHIDSystem -r -d 1': macosFixture('ioreg-hidsystem.txt'),
    'ioreg -c IOAccelerator -r -d 1': macosFixture('ioreg-accelerator.txt'),
    ...overrides,
  };
  return (cmd, args) => {
    const output = outputs[[cmd, ...args].join(' ')];
    return output === undefined ? Promise.reject(new Error(`spawn ${cmd} ENOENT`)) : Promise.resolve(output);
  };
}

const mac = (run: CommandRunner, extra: Partial<ConstructorParameters<typeof MachineStateProbe>[0]> = {}) =>
  new MachineStateProbe({ platform: 'darwin', system: { run, files: noFiles }, ...extra });

const THERMAL = ['nominal', 'fair', 'serious', 'critical', 'unknown'];
const PRESSURE = ['normal', 'warn', 'critical', 'unknown'];

function expectWellFormed(state: MachineState): void {
  expect(Object.keys(state).sort()).toEqual(Object.keys(UNKNOWN_STATE).sort());
  expect(['ac', 'battery', 'unknown']).toContain(state.power_source);
  expect(THERMAL).toContain(state.thermal);
  expect(PRESSURE).toContain(state.memory_pressure);
  for (const key of ['low_power_mode', 'camera_in_use', 'microphone_in_use'] as const) {
    expect(state[key] === 'unknown' || typeof state[key] === 'boolean').toBe(true);
  }
  for (const key of ['battery_percent', 'gpu_util_percent'] as const) {
    const value = state[key];
    expect(value === 'unknown' || (Number.isFinite(value) && value >= 0 && value <= 100)).toBe(true);
  }
  for (const key of ['thermal_celsius', 'memory_free_gb', 'memory_total_gb', 'owner_idle_s', 'gpu_memory_free_gb'] as const) {
    const value = state[key];
    expect(value === 'unknown' || Number.isFinite(value)).toBe(true);
  }
}

describe(MachineStateProbe.name, () => {
  it('combines every macOS probe, the kernel readings winning over the fallbacks', async () => {
    expect(await mac(macRunner()).read()).toEqual({
      power_source: 'battery',
      battery_percent: 18,
      low_power_mode: true,
      thermal: 'serious',
      thermal_celsius: 'unknown',
      memory_pressure: 'warn',
      memory_free_gb: 10.08,
      memory_total_gb: 16,
      owner_idle_s: 1,
      camera_in_use: 'unknown',
      microphone_in_use: 'unknown',
      gpu_util_percent: 12,
      gpu_memory_free_gb: 'unknown',
    });
  });

  it('falls back to pmset therm and the memory_pressure threshold when the kernel readings fail', async () => {
    const run = macRunner({ 'pmset -g therm': macosFixture('pmset-therm-throttled.txt') });
    const state = await mac((cmd, args, ms) => (cmd === 'notifyutil' || cmd === 'sysctl' ? Promise.reject(new Error('no')) : run(cmd, args, ms))).read();
    expect(state).toMatchObject({ thermal: 'serious', memory_pressure: 'normal' });
  });

  it('cuts a probe whose command hangs at its timeout and reports its fields unknown', async () => {
    const fixtures = macRunner();
    const run: CommandRunner = (cmd, args, ms) => (cmd === 'pmset' ? new Promise<string>(() => undefined) : fixtures(cmd, args, ms));
    const state = await mac(run, { probeTimeoutMs: 50 }).read();
    expect(state).toMatchObject({ power_source: 'unknown', battery_percent: 'unknown', low_power_mode: 'unknown', owner_idle_s: 1 });
    expect(state.thermal).toBe('serious');
  }, 10_000);

  it('turns a runner that throws synchronously or rejects into unknown, never an exception', async () => {
    const throwing: CommandRunner = () => {
      throw new Error('EMFILE');
    };
    await expect(mac(throwing).read()).resolves.toEqual(UNKNOWN_STATE);
    await expect(mac(() => Promise.reject(new Error('EACCES'))).read()).resolves.toEqual(UNKNOWN_STATE);
  });

  it('leaves fields unknown when a command prints something unparseable', async () => {
    await expect(mac(() => Promise.resolve('\u0000garbage\n')).read()).resolves.toEqual(UNKNOWN_STATE);
  });

  it('reuses a reading within its TTL and reads afresh after it', async () => {
    let now = 0;
    let calls = 0;
    const fixtures = macRunner();
    const probe = mac(
      (cmd, args, ms) => {
        calls += 1;
        return fixtures(cmd, args, ms);
      },
      { cacheTtlMs: 5_000, now: () => now },
    );
    await probe.read();
    const perRead = calls;
    now = 4_999;
    await probe.read();
    expect(calls).toBe(perRead);
    now = 5_000;
    await probe.read();
    expect(calls).toBe(perRead * 2);
  });

  it('shares one reading between callers that arrive while it is under way', async () => {
    let calls = 0;
    const fixtures = macRunner();
    const probe = mac((cmd, args, ms) => {
      calls += 1;
      return fixtures(cmd, args, ms);
    });
    const [a, b] = await Promise.all([probe.read(), probe.read()]);
    expect(a).toEqual(b);
    expect(calls).toBe(8);
  });

  it('hands each caller its own copy', async () => {
    const probe = mac(macRunner());
    const first = await probe.read();
    first.power_source = 'ac';
    expect((await probe.read()).power_source).toBe('battery');
  });

  it('takes the camera and microphone from the macOS helper (osascript running JXA), unless capture probing is off', async () => {
    const asked: string[][] = [];
    // Stands in for osascript: a real process printing the helper's line.
    const helper: HelperSpawner = (cmd, args) => {
      asked.push([cmd, ...args.slice(0, 2)]);
      return spawn(process.execPath, ['-e', 'console.log(JSON.stringify({ camera: false, microphone: true })); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'ignore'] });
    };
    const probe = new MachineStateProbe({ platform: 'darwin', system: { run: macRunner(), files: noFiles, spawn: helper }, probeTimeoutMs: 5_000 });
    try {
      const state = await probe.read();
      expect(state).toMatchObject({ camera_in_use: false, microphone_in_use: true, power_source: 'battery' });
      expect(asked).toEqual([['osascript', '-l', 'JavaScript']]);
    } finally {
      probe.close();
    }
    const off = new MachineStateProbe({ platform: 'darwin', system: { run: macRunner(), files: noFiles, spawn: helper }, capture: false });
    expect((await off.read()).camera_in_use).toBe('unknown');
    expect(asked).toHaveLength(1);
  });

  it('reports everything unknown on a platform it has no probes for', async () => {
    await expect(new MachineStateProbe({ platform: 'win32' }).read()).resolves.toEqual(UNKNOWN_STATE);
  });

  it('returns a well-formed state from the real /sys and /proc of this machine', async () => {
    const state = await new MachineStateProbe({ platform: process.platform }).read();
    expectWellFormed(state);
  }, 20_000);
});

describe(mergeKnown.name, () => {
  it('keeps the first known value and never lets unknown or NaN overwrite', () => {
    const state = mergeKnown([undefined, { thermal: 'unknown', battery_percent: Number.NaN }, { thermal: 'fair' }, { thermal: 'critical' }]);
    expect(state).toEqual({ ...UNKNOWN_STATE, thermal: 'fair' });
  });
});

