import { parseNvidiaSmi, NVIDIA_SMI_STATE_ARGS } from '../nvidia-smi.parser';
import { parseAlsaCapture } from './alsa-capture.parser';
import { type StateProbe, commandProbe, fileProbe } from '../state-probe';
import type { SystemAccess } from '../system-access';
import { parseMeminfo } from './meminfo.parser';
import { parseMemoryPsi } from './memory-psi.parser';
import { parsePlatformProfile } from './platform-profile.parser';
import { type PowerSupplyEntry, parsePowerSupplies } from './power-supply.parser';
import { parseThermalZones } from './thermal-zone.parser';

const POWER_SUPPLY = '/sys/class/power_supply';
const THERMAL = '/sys/class/thermal';
const ASOUND = '/proc/asound';

/**
 * Linux, from sysfs and procfs (no process spawned except `nvidia-smi`, which is absent on most
 * machines: its fields are then `unknown`). Owner idle stays `unknown`: without an X or Wayland
 * session's own API (XScreenSaver, org.gnome.Mutter.IdleMonitor) there is no honest cheap reading,
 * and an agent usually runs outside the session. The microphone is in use while an ALSA capture
 * substream runs (`/proc/asound`, a few small files). The camera stays `unknown`: telling whether
 * some process holds `/dev/video*` open means walking every `/proc/*\/fd`.
 */
export const LINUX_PROBES: readonly StateProbe[] = [
  { name: 'linux-power-supply', read: async (system) => parsePowerSupplies(await readPowerSupplies(system)) },
  fileProbe('linux-platform-profile', '/sys/firmware/acpi/platform_profile', parsePlatformProfile),
  { name: 'linux-thermal', read: async (system) => parseThermalZones(await readThermalZones(system)) },
  fileProbe('linux-memory-psi', '/proc/pressure/memory', parseMemoryPsi),
  fileProbe('linux-meminfo', '/proc/meminfo', parseMeminfo),
  { name: 'linux-alsa-capture', read: async (system) => parseAlsaCapture(await readCaptureStatuses(system)) },
  commandProbe('nvidia-smi', 'nvidia-smi', NVIDIA_SMI_STATE_ARGS, parseNvidiaSmi),
];

async function readPowerSupplies(system: SystemAccess): Promise<PowerSupplyEntry[]> {
  const names = await system.files.readDir(POWER_SUPPLY);
  return Promise.all(
    names.map(async (name) => {
      const dir = `${POWER_SUPPLY}/${name}`;
      const [type, online, capacity, status, scope] = await Promise.all(
        ['type', 'online', 'capacity', 'status', 'scope'].map((attr) => optional(system, `${dir}/${attr}`)),
      );
      return { name, type, online, capacity, status, scope };
    }),
  );
}

/** Every capture substream's status; throws (→ `unknown`) without `/proc/asound`. */
async function readCaptureStatuses(system: SystemAccess): Promise<string[]> {
  const cards = (await system.files.readDir(ASOUND)).filter((name) => /^card\d+$/.test(name));
  const statuses: string[] = [];
  for (const card of cards) {
    const pcms = (await system.files.readDir(`${ASOUND}/${card}`).catch(() => [] as string[])).filter((name) => /^pcm\d+c$/.test(name));
    for (const pcm of pcms) {
      const subs = (await system.files.readDir(`${ASOUND}/${card}/${pcm}`).catch(() => [] as string[])).filter((name) => /^sub\d+$/.test(name));
      for (const sub of subs) {
        const status = await optional(system, `${ASOUND}/${card}/${pcm}/${sub}/status`);
        if (status !== undefined) statuses.push(status);
      }
    }
  }
  return statuses;
}

async function readThermalZones(system: SystemAccess): Promise<string[]> {
  const zones = (await system.files.readDir(THERMAL)).filter((name) => name.startsWith('thermal_zone'));
  const temps = await Promise.all(zones.map((zone) => optional(system, `${THERMAL}/${zone}/temp`)));
  return temps.filter((temp): temp is string => temp !== undefined);
}

// Attributes vary by driver (a mains supply has no `capacity`; reading some fails with EIO/ENODATA).
async function optional(system: SystemAccess, path: string): Promise<string | undefined> {
  try {
    return await system.files.readFile(path);
  } catch {
    return undefined;
  }
}
