import type { MachineState } from '../machine-state';

export type ThermalLevel = Exclude<MachineState['thermal'], 'unknown'>;

const ORDER: readonly ThermalLevel[] = ['nominal', 'fair', 'serious', 'critical'];

/** The more severe of two readings: two signals that disagree report the worse one. */
export function worseThermal(a: ThermalLevel | undefined, b: ThermalLevel | undefined): ThermalLevel | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;
}
