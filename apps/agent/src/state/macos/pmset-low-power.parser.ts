import type { PartialState } from '../machine-state';

/**
 * `pmset -g` (the live settings): ` lowpowermode         1`. Newer macOS on some Macs prints
 * ` powermode 1` instead (0 automatic, 1 low power, 2 high power). A Mac whose output has neither
 * line cannot say, so the field is left `unknown` rather than assumed off.
 */
export function parsePmsetLowPower(output: string): PartialState {
  const lowPower = /^\s*lowpowermode\s+(\d+)\s*$/m.exec(output)?.[1];
  if (lowPower === '1') return { low_power_mode: true };
  if (lowPower === '0') return { low_power_mode: false };

  const mode = /^\s*powermode\s+(\d+)\s*$/m.exec(output)?.[1];
  if (mode === '1') return { low_power_mode: true };
  if (mode === '0' || mode === '2') return { low_power_mode: false };
  return {};
}
