/**
 * What an agent can tell about its machine, sent in every heartbeat's `state` (flat, so it fits the
 * registry's `Record<string, string | number | boolean>`). Every field is `'unknown'` when a probe
 * could not tell: never a guess.
 */
export interface MachineState {
  /** `ac`, `battery` or `unknown`. */
  power_source: 'ac' | 'battery' | 'unknown';
  /** 0–100, or `unknown` (a desktop has none). */
  battery_percent: number | 'unknown';
  low_power_mode: boolean | 'unknown';
  /** `nominal`, `fair`, `serious`, `critical` (macOS's thermal pressure levels; Linux mapped onto them). */
  thermal: 'nominal' | 'fair' | 'serious' | 'critical' | 'unknown';
  /** `normal`, `warn`, `critical` (macOS's memory pressure levels; Linux PSI mapped onto them). */
  memory_pressure: 'normal' | 'warn' | 'critical' | 'unknown';
  memory_free_gb: number | 'unknown';
  /** Seconds since the owner last touched keyboard or mouse. */
  owner_idle_s: number | 'unknown';
  camera_in_use: boolean | 'unknown';
  microphone_in_use: boolean | 'unknown';
}

export const UNKNOWN_STATE: MachineState = {
  power_source: 'unknown',
  battery_percent: 'unknown',
  low_power_mode: 'unknown',
  thermal: 'unknown',
  memory_pressure: 'unknown',
  memory_free_gb: 'unknown',
  owner_idle_s: 'unknown',
  camera_in_use: 'unknown',
  microphone_in_use: 'unknown',
};
