const BYTES_PER_GB = 1024 ** 3;

/** Rounded to two decimals: heartbeats carry a reading, not a measurement's noise. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

/** GiB, which is what every OS tool calls "GB" for memory. */
export function bytesToGb(bytes: number): number {
  return round2(bytes / BYTES_PER_GB);
}

/** A whole, non-negative integer in `text`, or `undefined` (never `NaN`). */
export function parseWholeNumber(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isSafeInteger(value) ? value : undefined;
}

/** A finite decimal in `text`, or `undefined`. */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  if (!/^-?\d+(\.\d+)?$/.test(trimmed)) return undefined;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}
