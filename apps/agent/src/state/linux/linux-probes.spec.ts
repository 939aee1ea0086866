import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { MachineStateProbe } from '../machine-state.probe';
import { type CommandRunner, rootedFileReader } from '../system-access';

const absent: CommandRunner = () => Promise.reject(new Error('spawn nvidia-smi ENOENT'));

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'iir-state-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

const MEMINFO = 'MemTotal:       16303428 kB\nMemFree:         1021340 kB\nMemAvailable:    8151714 kB\n';
const PSI = 'some avg10=0.12 avg60=0.05 avg300=0.01 total=81234\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=40211\n';

describe('Linux probes on fixture trees', () => {
  const roots: string[] = [];
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));
  const read = (files: Record<string, string>, run: CommandRunner = absent) => {
    const root = tree(files);
    roots.push(root);
    return new MachineStateProbe({ platform: 'linux', system: { run, files: rootedFileReader(root) } }).read();
  };

  it('reads a battery laptop on battery', async () => {
    const state = await read({
      '/sys/class/power_supply/AC/type': 'Mains\n',
      '/sys/class/power_supply/AC/online': '0\n',
      '/sys/class/power_supply/BAT0/type': 'Battery\n',
      '/sys/class/power_supply/BAT0/capacity': '57\n',
      '/sys/class/power_supply/BAT0/status': 'Discharging\n',
      '/sys/class/thermal/thermal_zone0/temp': '48000\n',
      '/sys/class/thermal/thermal_zone1/temp': '73000\n',
      '/sys/firmware/acpi/platform_profile': 'low-power\n',
      '/proc/pressure/memory': PSI,
      '/proc/meminfo': MEMINFO,
    });
    expect(state).toMatchObject({
      power_source: 'battery',
      battery_percent: 57,
      low_power_mode: true,
      thermal: 'fair',
      thermal_celsius: 73,
      memory_pressure: 'normal',
      memory_free_gb: 7.77,
      memory_total_gb: 15.55,
      owner_idle_s: 'unknown',
      camera_in_use: 'unknown',
      gpu_util_percent: 'unknown',
    });
  });

  it('reads a desktop with no battery and an NVIDIA GPU', async () => {
    const run: CommandRunner = (cmd) =>
      cmd === 'nvidia-smi' ? Promise.resolve('37, 6144, 24576\n') : Promise.reject(new Error('ENOENT'));
    const state = await read(
      {
        '/sys/class/power_supply/.keep': '',
        '/sys/class/thermal/thermal_zone0/temp': '41000\n',
        '/proc/pressure/memory': PSI,
        '/proc/meminfo': MEMINFO,
      },
      run,
    );
    expect(state).toMatchObject({
      power_source: 'unknown',
      battery_percent: 'unknown',
      low_power_mode: 'unknown',
      thermal: 'nominal',
      gpu_util_percent: 37,
      gpu_memory_free_gb: 18,
    });
  });

  // /proc/asound/cardN/pcmMc/subK/status as the kernel's procfs prints it (Documentation/sound/designs/procfile.rst).
  const RECORDING = 'state: RUNNING\nowner_pid   : 2113\ntrigger_time: 8841.318262331\ntstamp      : 8843.512096511\ndelay       : 224\navail       : 224\navail_max   : 1056\n-----\nhw_ptr      : 105312\nappl_ptr    : 105088\n';
  const OPENED = 'state: PREPARED\nowner_pid   : 2113\n';

  it('tells the microphone is in use while an ALSA capture substream runs, and not when all are closed', async () => {
    const busy = await read({
      '/proc/meminfo': MEMINFO,
      '/proc/asound/card0/pcm0p/sub0/status': RECORDING, // playback: not a microphone
      '/proc/asound/card0/pcm0c/sub0/status': 'closed\n',
      '/proc/asound/card1/pcm0c/sub0/status': RECORDING,
      '/proc/asound/card1/id': 'C920\n',
    });
    expect(busy.microphone_in_use).toBe(true);
    const idle = await read({
      '/proc/meminfo': MEMINFO,
      '/proc/asound/card0/pcm0p/sub0/status': RECORDING,
      '/proc/asound/card0/pcm0c/sub0/status': 'closed\n',
      '/proc/asound/card0/pcm0c/sub1/status': OPENED,
    });
    expect(idle.microphone_in_use).toBe(false);
    // No /proc/asound (a container, a VM without sound): nothing can be told.
    expect((await read({ '/proc/meminfo': MEMINFO })).microphone_in_use).toBe('unknown');
    expect(busy.camera_in_use).toBe('unknown');
  });

  it('is unknown for thermal when there are no thermal zones', async () => {
    const state = await read({ '/sys/class/thermal/cooling_device0/type': 'Processor\n', '/proc/meminfo': MEMINFO });
    expect(state.thermal).toBe('unknown');
    expect(state.thermal_celsius).toBe('unknown');
    expect(state.memory_pressure).toBe('unknown');
    expect(state.memory_free_gb).toBe(7.77);
  });
});
