import type { PartialState } from '../machine-state';

/**
 * ALSA's capture substreams, `/proc/asound/card*\/pcm*c/sub*\/status` (the kernel's documented
 * procfs: `closed` when nobody has the device open, else `state: OPEN|SETUP|PREPARED|RUNNING|…`
 * and the owner's pid). Someone records when a capture substream is RUNNING; sound servers
 * (PipeWire, PulseAudio) keep a device open only while a client records, and suspend it after.
 * No capture substream at all (a machine without a microphone) is `false`; the caller leaves the
 * field `unknown` when there is no `/proc/asound` to read.
 */
export function parseAlsaCapture(statuses: readonly string[]): PartialState {
  const running = statuses.some((status) => /^state:\s*(RUNNING|DRAINING|PAUSED)\b/m.test(status));
  return { microphone_in_use: running };
}
