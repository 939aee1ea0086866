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
  /** The hottest thermal zone in °C, where the platform exposes one (Linux sysfs; not macOS without root). */
  thermal_celsius: number | 'unknown';
  /** `normal`, `warn`, `critical` (macOS's memory pressure levels; Linux PSI mapped onto them). */
  memory_pressure: 'normal' | 'warn' | 'critical' | 'unknown';
  memory_free_gb: number | 'unknown';
  memory_total_gb: number | 'unknown';
  /** Seconds since the owner last touched keyboard or mouse. */
  owner_idle_s: number | 'unknown';
  camera_in_use: boolean | 'unknown';
  microphone_in_use: boolean | 'unknown';
  /** 0–100: the busiest GPU's utilisation (NVIDIA's `nvidia-smi`, Apple's IOAccelerator statistics). */
  gpu_util_percent: number | 'unknown';
  /** Dedicated GPU memory free (NVIDIA); Apple silicon's GPU shares `memory_free_gb`, so `unknown` there. */
  gpu_memory_free_gb: number | 'unknown';
}

export const UNKNOWN_STATE: MachineState = {
  power_source: 'unknown',
  battery_percent: 'unknown',
  low_power_mode: 'unknown',
  thermal: 'unknown',
  thermal_celsius: 'unknown',
  memory_pressure: 'unknown',
  memory_free_gb: 'unknown',
  memory_total_gb: 'unknown',
  owner_idle_s: 'unknown',
  camera_in_use: 'unknown',
  microphone_in_use: 'unknown',
  gpu_util_percent: 'unknown',
  gpu_memory_free_gb: 'unknown',
};

/** What one probe could tell: only the fields it knows, so the rest stay `unknown`. */
export type PartialState = Partial<MachineState>;
