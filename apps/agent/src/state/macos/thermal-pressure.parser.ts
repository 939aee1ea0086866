import type { PartialState } from '../machine-state';

/**
 * `notifyutil -g com.apple.system.thermalpressurelevel` prints `<name> <level>`: the kernel's
 * thermal pressure (OSThermalNotification.h: 0 nominal, 1 moderate, 2 heavy, 3 trapping,
 * 4 sleeping), the same signal behind ProcessInfo.thermalState. It is the only cheap reading on
 * Apple silicon, where `pmset -g therm` stays at "No … recorded". Mapped as thermalState does:
 * 0 → nominal, 1 → fair, 2 → serious, 3 and 4 → critical; anything else → unknown.
 */
export function parseThermalPressure(output: string): PartialState {
  const level = /thermalpressurelevel\s+(\d+)\s*$/m.exec(output)?.[1];
  switch (level) {
    case '0':
      return { thermal: 'nominal' };
    case '1':
      return { thermal: 'fair' };
    case '2':
      return { thermal: 'serious' };
    case '3':
    case '4':
      return { thermal: 'critical' };
    default:
      return {};
  }
}
