import type { PartialState } from '../machine-state';
import { parseWholeNumber } from '../units';

/** One `/sys/class/power_supply/<name>/`: each attribute's raw text, absent when unreadable. */
export interface PowerSupplyEntry {
  name: string;
  type?: string;
  online?: string;
  capacity?: string;
  status?: string;
  /** `Device` for a wireless mouse's or a headset's battery, which is not the machine's. */
  scope?: string;
}

// Everything the kernel calls an external supply (power_supply_sysfs.c's type names).
const EXTERNAL_TYPES = new Set(['Mains', 'USB', 'USB_C', 'USB_PD', 'USB_PD_DRP', 'USB_DCP', 'USB_CDP', 'USB_ACA', 'Wireless']);

/**
 * A mains (or USB-C) supply with `online` 1 → `ac`. A system battery and supplies that are all
 * offline → `battery`. A battery but no supply node at all: its `status` decides (`Discharging` →
 * battery, `Charging` → ac, anything else → unknown). No entries at all (most desktops, VMs,
 * containers) → `unknown`: the kernel says nothing, so neither do we. Battery percent is the mean
 * `capacity` of system batteries.
 */
export function parsePowerSupplies(entries: readonly PowerSupplyEntry[]): PartialState {
  const state: PartialState = {};
  const external = entries.filter((entry) => EXTERNAL_TYPES.has(entry.type?.trim() ?? ''));
  const batteries = entries.filter((entry) => entry.type?.trim() === 'Battery' && entry.scope?.trim() !== 'Device');

  const source = powerSource(external, batteries);
  if (source !== undefined) state.power_source = source;

  const capacities = batteries
    .map((entry) => parseWholeNumber(entry.capacity))
    .filter((value): value is number => value !== undefined && value <= 100);
  if (capacities.length > 0) {
    state.battery_percent = Math.round(capacities.reduce((sum, value) => sum + value, 0) / capacities.length);
  }
  return state;
}

function powerSource(
  external: readonly PowerSupplyEntry[],
  batteries: readonly PowerSupplyEntry[],
): 'ac' | 'battery' | undefined {
  if (external.some((entry) => entry.online?.trim() === '1')) return 'ac';
  if (batteries.length === 0) return undefined;
  if (external.length > 0 && external.every((entry) => entry.online?.trim() === '0')) return 'battery';
  const statuses = batteries.map((entry) => entry.status?.trim());
  if (statuses.includes('Discharging')) return 'battery';
  if (statuses.includes('Charging')) return 'ac';
  return undefined;
}
