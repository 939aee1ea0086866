import type { PartialState } from '../machine-state';

/**
 * `ioreg -c IOHIDSystem`: `"HIDIdleTime" = 1234567890` is nanoseconds since the last keyboard,
 * mouse or trackpad event (the first match: IOHIDSystem has one). Reported in whole seconds.
 */
export function parseHidIdle(output: string): PartialState {
  const ns = /"HIDIdleTime"\s*=\s*(\d+)/.exec(output)?.[1];
  if (ns === undefined) return {};
  // BigInt: a week's idle is past 2^53 ns, where Number would round.
  return { owner_idle_s: Number(BigInt(ns) / 1_000_000_000n) };
}
