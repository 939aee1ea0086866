import { bytesToGb, parseWholeNumber } from '../units';

export interface MacHardware {
  chip?: string;
  cores?: number;
  memoryGb?: number;
}

/**
 * `sysctl -n machdep.cpu.brand_string hw.ncpu hw.memsize`: three lines in that order
 * (`Apple M2 Pro`, `12`, `34359738368`). A line that does not parse is left out, not guessed.
 */
export function parseSysctlHardware(output: string): MacHardware {
  const [brand, ncpu, memsize] = output.split('\n').map((line) => line.trim());
  const hardware: MacHardware = {};
  if (brand !== undefined && brand.length > 0) hardware.chip = brand;
  const cores = parseWholeNumber(ncpu);
  if (cores !== undefined && cores > 0) hardware.cores = cores;
  const bytes = parseWholeNumber(memsize);
  if (bytes !== undefined && bytes > 0) hardware.memoryGb = bytesToGb(bytes);
  return hardware;
}
