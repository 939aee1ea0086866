import type { MachineState, PartialState } from '../machine-state';
import { parseDecimal, round2 } from '../units';

/**
 * Thresholds on the hottest zone, in °C: below 70 nominal, below 85 fair, below 95 serious, else
 * critical. Laptop CPUs throttle near 95–100 °C and most trip points sit at 100–105, so "serious"
 * starts where throttling is close and "critical" where it is happening.
 */
export const THERMAL_FAIR_C = 70;
export const THERMAL_SERIOUS_C = 85;
export const THERMAL_CRITICAL_C = 95;

/**
 * `/sys/class/thermal/thermal_zone*\/temp`, millidegrees Celsius each. Readings outside
 * -40…150 °C are a sensor's "not available" (some report 0 or -273000), so they are dropped. No
 * usable zone → both fields `unknown`.
 */
export function parseThermalZones(temps: readonly string[]): PartialState {
  const celsius = temps
    .map((text) => parseDecimal(text))
    .filter((milli): milli is number => milli !== undefined)
    .map((milli) => milli / 1000)
    .filter((value) => value > -40 && value < 150 && value !== 0);
  if (celsius.length === 0) return {};
  const hottest = Math.max(...celsius);
  return { thermal_celsius: round2(hottest), thermal: thermalLevel(hottest) };
}

function thermalLevel(celsius: number): MachineState['thermal'] {
  if (celsius < THERMAL_FAIR_C) return 'nominal';
  if (celsius < THERMAL_SERIOUS_C) return 'fair';
  if (celsius < THERMAL_CRITICAL_C) return 'serious';
  return 'critical';
}
