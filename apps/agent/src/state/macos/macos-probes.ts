import { type StateProbe, commandProbe } from '../state-probe';
import { parseGpuUtilization } from './gpu-utilization.parser';
import { parseHidIdle } from './hid-idle.parser';
import { parseMemoryPressure } from './memory-pressure.parser';
import { parsePmsetBatt } from './pmset-batt.parser';
import { parsePmsetLowPower } from './pmset-low-power.parser';
import { parsePmsetTherm } from './pmset-therm.parser';
import { parseThermalPressure } from './thermal-pressure.parser';
import { parseVmPressureLevel } from './vm-pressure-level.parser';

/**
 * macOS, in priority order: where two probes tell the same field, the earlier one's known value
 * wins (the kernel's thermal pressure over pmset's warnings, the kernel's memory level over our
 * threshold on `memory_pressure`'s percentage). Every one is a stock binary that needs no root.
 *
 * Camera and microphone stay `unknown`: the honest signals are in the unified log (`log stream`
 * on `AppleH13CamIn`/`VDCAssistant`, the Control Centre indicators) or in private CoreMediaIO /
 * CoreAudio properties that need a native helper; nothing cheap and documented prints them.
 */
export const MACOS_PROBES: readonly StateProbe[] = [
  commandProbe('pmset-batt', 'pmset', ['-g', 'batt'], parsePmsetBatt),
  commandProbe('pmset-live', 'pmset', ['-g'], parsePmsetLowPower),
  commandProbe('thermal-pressure', 'notifyutil', ['-g', 'com.apple.system.thermalpressurelevel'], parseThermalPressure),
  commandProbe('pmset-therm', 'pmset', ['-g', 'therm'], parsePmsetTherm),
  commandProbe('vm-pressure-level', 'sysctl', ['-n', 'kern.memorystatus_vm_pressure_level'], parseVmPressureLevel),
  commandProbe('memory-pressure', 'memory_pressure', [], parseMemoryPressure),
  // `-d 1`: the IOHIDSystem node's own properties, not its whole subtree.
  commandProbe('hid-idle', 'ioreg', ['-c', 'IOHIDSystem', '-r', '-d', '1'], parseHidIdle),
  commandProbe('gpu-utilization', 'ioreg', ['-c', 'IOAccelerator', '-r', '-d', '1'], parseGpuUtilization),
];
