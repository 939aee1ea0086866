import { InvalidArgumentError } from 'commander';

/** A commander parser for a whole number of at least `min`. */
export const wholeNumber = (name: string, min: number) => (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be a whole number ≥ ${min}`);
  return n;
};

/** A comma-separated list, blanks dropped. */
export const csv = (value: string): string[] => value.split(',').map((v) => v.trim()).filter(Boolean);
