import { CaptureWatcher } from '../capture-watcher';
import { type StateProbe, commandProbe } from '../state-probe';
import { captureHelperCommand } from './capture-devices.helper';
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
 * Camera and microphone come from a helper that stays running (see `capture-devices.helper.ts`):
 * no stock command prints them, and AVFoundation costs too much to load once per heartbeat.
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

export interface MacosProbeOptions {
  /** Run the camera/microphone helper (`AGENT_CAPTURE_PROBE`); off, both stay `unknown`. */
  capture: boolean;
  onProblem?: (message: string) => void;
}

/** How often the helper looks: the machine state's own cache period, so each heartbeat's reading is fresh. */
const CAPTURE_INTERVAL_MS = 5_000;

/** The command probes, then the camera/microphone helper when asked for. */
export function macosProbes(options: MacosProbeOptions): readonly StateProbe[] {
  if (!options.capture) return MACOS_PROBES;
  const intervalMs = CAPTURE_INTERVAL_MS;
  const { command, args } = captureHelperCommand(intervalMs);
  return [...MACOS_PROBES, new CaptureWatcher({ command, args, intervalMs, ...(options.onProblem ? { onProblem: options.onProblem } : {}) })];
}
