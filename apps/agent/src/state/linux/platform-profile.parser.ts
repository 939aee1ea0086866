import type { PartialState } from '../machine-state';

/**
 * `/sys/firmware/acpi/platform_profile` (ACPI platform profiles: `low-power`, `cool`, `quiet`,
 * `balanced`, `balanced-performance`, `performance`, `custom`): Linux's nearest thing to macOS's
 * Low Power Mode. Only `low-power` counts as on; any other known profile as off.
 */
const KNOWN = new Set(['low-power', 'cool', 'quiet', 'balanced', 'balanced-performance', 'performance', 'custom']);

export function parsePlatformProfile(text: string): PartialState {
  const profile = text.trim();
  if (!KNOWN.has(profile)) return {};
  return { low_power_mode: profile === 'low-power' };
}
