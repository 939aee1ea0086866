import type { PartialState } from './machine-state';

/**
 * One line of the capture helper: `{"camera":bool|"unknown","microphone":bool|"unknown"}`. A field
 * that is missing or of another type stays `unknown`; a line that is not such an object tells
 * nothing (`undefined`), so a stray line never turns into a reading.
 */
export function parseCaptureLine(line: string): PartialState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const { camera, microphone } = parsed as Record<string, unknown>;
  if (typeof camera !== 'boolean' && typeof microphone !== 'boolean' && camera !== 'unknown' && microphone !== 'unknown') return undefined;
  const state: PartialState = {};
  if (typeof camera === 'boolean') state.camera_in_use = camera;
  if (typeof microphone === 'boolean') state.microphone_in_use = microphone;
  return state;
}
