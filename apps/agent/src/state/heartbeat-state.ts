import type { MachineState } from './machine-state';

/**
 * The heartbeat's `state`: the fields as they are, flat, keys in snake_case. A copy, so a later
 * change to the probe's reading cannot alter a heartbeat already built.
 */
export function toHeartbeatState(state: MachineState): Record<string, string | number | boolean> {
  return { ...state };
}
