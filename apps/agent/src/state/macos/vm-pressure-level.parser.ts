import type { PartialState } from '../machine-state';

/**
 * `sysctl -n kern.memorystatus_vm_pressure_level`: the kernel's own level, the one Activity
 * Monitor colours (1 normal, 2 warn, 4 critical). Preferred over our thresholds on
 * `memory_pressure`'s percentage because it is the system's judgement, not ours.
 */
export function parseVmPressureLevel(output: string): PartialState {
  switch (output.trim()) {
    case '1':
      return { memory_pressure: 'normal' };
    case '2':
      return { memory_pressure: 'warn' };
    case '4':
      return { memory_pressure: 'critical' };
    default:
      return {};
  }
}
