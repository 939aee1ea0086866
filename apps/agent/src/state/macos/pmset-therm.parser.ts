import type { PartialState } from '../machine-state';
import { type ThermalLevel, worseThermal } from './thermal-level';

/**
 * `pmset -g therm`. It prints up to three things, each either a `Note: No … has been recorded`
 * line or a reading:
 *   - `Thermal Warning Level = N` (IOPMGetThermalWarningLevel: 0 normal, 5 danger, 10 crisis)
 *   - `Performance Warning Level = N` (0 normal; anything else means performance is being limited)
 *   - `CPU_Speed_Limit = N` (percent of full clock the CPU is allowed; Intel Macs)
 *
 * Mapping (the worst signal wins):
 *   thermal warning 0 → nominal, 5 → serious, 10 → critical, any other number → unknown
 *   performance warning 0 → nominal, non-zero → fair (its levels are undocumented, so no finer)
 *   CPU_Speed_Limit 100 → nominal, 80–99 → fair, 50–79 → serious, below 50 → critical
 *   only "No … has been recorded" notes → nominal: pmset says no warning is in effect
 *   anything else (an error line, empty output) → unknown
 */
export function parsePmsetTherm(output: string): PartialState {
  let level: ThermalLevel | undefined;
  let unreadable = false;

  const warning = /Thermal Warning Level\s*=\s*(\d+)/i.exec(output)?.[1];
  if (warning !== undefined) {
    const mapped = thermalWarning(Number(warning));
    if (mapped === undefined) unreadable = true;
    level = worseThermal(level, mapped);
  }

  const performance = /Performance Warning Level\s*=\s*(\d+)/i.exec(output)?.[1];
  if (performance !== undefined) level = worseThermal(level, Number(performance) === 0 ? 'nominal' : 'fair');

  const speed = /CPU_Speed_Limit\s*=\s*(\d+)/.exec(output)?.[1];
  if (speed !== undefined) level = worseThermal(level, speedLimit(Number(speed)));

  if (level === undefined && /No thermal warning level has been recorded/.test(output) && !/Error:/.test(output)) {
    level = 'nominal';
  }
  // A warning level we cannot place would make any answer a guess.
  if (unreadable) return {};
  return level === undefined ? {} : { thermal: level };
}

function thermalWarning(value: number): ThermalLevel | undefined {
  if (value === 0) return 'nominal';
  if (value === 5) return 'serious';
  if (value === 10) return 'critical';
  return undefined;
}

function speedLimit(percent: number): ThermalLevel {
  if (percent >= 100) return 'nominal';
  if (percent >= 80) return 'fair';
  if (percent >= 50) return 'serious';
  return 'critical';
}
