/** How much of a long prompt the model reads: its head (the ask, usually) and its tail. */
export const WINDOW_HEAD_CHARS = 2_000;
export const WINDOW_TAIL_CHARS = 1_000;

/** The part of `text` the features are computed on; bounded, so classification time is too. */
export function textWindow(text: string): string {
  if (text.length <= WINDOW_HEAD_CHARS + WINDOW_TAIL_CHARS) return text;
  return `${text.slice(0, WINDOW_HEAD_CHARS)}\n${text.slice(-WINDOW_TAIL_CHARS)}`;
}
