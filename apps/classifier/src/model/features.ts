import { finalize, FNV_OFFSET, fnvStep, hashPair, hashString } from './hashing';
import { cueTokens } from './lexicon';
import { signalTokens, type TextSignals } from './signals';

/** Bump when the features change: a model trained on other features must not load. */
export const FEATURE_VERSION = 4;

/**
 * The feature groups, in the order they sit in a `FeatureBuffer`. Each group is L2-normalised on
 * its own, so the thousands of character n-grams of a long text do not drown its few words.
 */
export const FEATURE_GROUPS = ['chars', 'words', 'ask', 'signals'] as const;
export type FeatureGroup = (typeof FEATURE_GROUPS)[number];

const SEED = { chars: 0x1f, words: 0x2e, bigrams: 0x3d, ask: 0x4c, askStart: 0x5b, signals: 0x6a } as const;
const MIN_GRAM = 3;
const MAX_GRAM = 5;
const CJK_START = 0x2e80;
/** The ask of a long prompt is usually in its first or last sentences. */
const ASK_CHARS = 200;

/** The hashed features of one text: bucket numbers, grouped (see `FEATURE_GROUPS`). */
export class FeatureBuffer {
  readonly buckets: Int32Array;
  length = 0;
  /** `ends[g]` = where group g stops in `buckets` (it starts where group g-1 stops). */
  readonly ends = new Int32Array(FEATURE_GROUPS.length);
  private codes = new Uint16Array(4_096);

  constructor(readonly bucketCount: number, capacity = 24_000) {
    if ((bucketCount & (bucketCount - 1)) !== 0) throw new Error('bucketCount must be a power of two');
    this.buckets = new Int32Array(capacity);
  }

  /** Fills the buffer from `text` (already windowed) and its signals. */
  extract(text: string, signals: TextSignals): this {
    this.length = 0;
    const lower = text.toLowerCase();
    this.charGrams(lower);
    this.ends[0] = this.length;
    this.words(lower, SEED.words, true);
    this.ends[1] = this.length;
    this.ask(lower);
    this.ends[2] = this.length;
    for (const token of signalTokens(signals)) this.push(hashString(token, SEED.signals));
    for (const token of cueTokens(lower)) this.push(hashString(token, SEED.signals));
    this.ends[3] = this.length;
    return this;
  }

  /** Character 3- to 5-grams of the text with digits folded to 0 and whitespace collapsed. */
  private charGrams(lower: string): void {
    const n = this.normalise(lower);
    const codes = this.codes;
    for (let i = 0; i < n; i++) {
      let h = FNV_OFFSET ^ SEED.chars;
      for (let k = 0; k < MAX_GRAM && i + k < n; k++) {
        h = fnvStep(h, codes[i + k] ?? 0);
        // Han, kana and hangul carry a word in one or two characters: shorter grams for them.
        if (k + 1 >= MIN_GRAM || (k + 1 < MIN_GRAM && (codes[i] ?? 0) >= CJK_START)) this.push(h);
      }
    }
  }

  private normalise(lower: string): number {
    if (this.codes.length < lower.length + 2) this.codes = new Uint16Array(lower.length + 2);
    const codes = this.codes;
    let n = 0;
    codes[n++] = 32;
    let space = true;
    for (let i = 0; i < lower.length; i++) {
      let c = lower.charCodeAt(i);
      if (c === 32 || c === 10 || c === 9 || c === 13) {
        if (space) continue;
        space = true;
        c = 32;
      } else {
        space = false;
        if (c >= 48 && c <= 57) c = 48;
      }
      codes[n++] = c;
    }
    if (!space) codes[n++] = 32;
    return n;
  }

  /**
   * Word unigrams (and bigrams when asked): runs of letters, digits, `_` and `'`, and every other
   * non-space character on its own. Numbers become one token by their digit count. Hashed while
   * scanning, without building substrings (this is the hot loop of a long prompt).
   */
  private words(lower: string, seed: number, bigrams: boolean): void {
    let previous = 0;
    const emit = (h: number): void => {
      this.push(h);
      if (bigrams && previous !== 0) this.push(hashPair(previous, h) ^ SEED.bigrams);
      previous = h;
    };
    const start = FNV_OFFSET ^ seed;
    let h = start;
    let length = 0;
    let digitsOnly = true;
    const flush = (): void => {
      if (length === 0) return;
      emit(digitsOnly ? hashString(`<num${Math.min(length, 5)}>`, start) : h);
      h = start;
      length = 0;
      digitsOnly = true;
    };
    for (let i = 0; i < lower.length; i++) {
      const c = lower.charCodeAt(i);
      if (isWordChar(c)) {
        h = fnvStep(h, c);
        length++;
        if (c < 48 || c > 57) digitsOnly = false;
      } else {
        flush();
        if (c !== 32 && c !== 10 && c !== 9 && c !== 13) emit(fnvStep(start, c));
      }
    }
    flush();
  }

  /** Words of the prompt's first and last sentences, marked as such, and its first two words. */
  private ask(lower: string): void {
    const trimmed = lower.trim();
    const parts = trimmed.length <= 2 * ASK_CHARS ? [trimmed] : [trimmed.slice(0, ASK_CHARS), trimmed.slice(-ASK_CHARS)];
    for (const part of parts) this.words(part, SEED.ask, false);
    const first = trimmed.match(/^[\p{L}\p{M}\p{N}_']+(\s+[\p{L}\p{M}\p{N}_']+)?/u);
    if (first) {
      const [one] = first[0].split(/\s+/);
      this.push(hashString(`^${one ?? ''}`, FNV_OFFSET ^ SEED.askStart));
      this.push(hashString(`^${first[0].replace(/\s+/g, ' ')}`, FNV_OFFSET ^ SEED.askStart));
    }
  }

  private push(hash: number): void {
    if (this.length < this.buckets.length) this.buckets[this.length++] = finalize(hash) & (this.bucketCount - 1);
  }
}

/** The value every feature of a group gets: 1/sqrt(count), so each group has unit L2 norm. */
export function groupScales(buffer: FeatureBuffer): Float32Array {
  const scales = new Float32Array(FEATURE_GROUPS.length);
  let start = 0;
  for (let g = 0; g < FEATURE_GROUPS.length; g++) {
    const end = buffer.ends[g] ?? start;
    scales[g] = end > start ? 1 / Math.sqrt(end - start) : 0;
    start = end;
  }
  return scales;
}

/** Letters and digits of any script, `_` and `'`; not spaces or punctuation (ASCII, Latin-1, general, CJK). */
function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 95 || c === 39 || (c >= 65 && c <= 90);
  if (c <= 0xbf || c === 0xd7 || c === 0xf7) return false;
  if ((c >= 0x2000 && c <= 0x2bff) || (c >= 0x3000 && c <= 0x303f) || (c >= 0xfe30 && c <= 0xfe4f)) return false;
  if ((c >= 0xff01 && c <= 0xff0f) || (c >= 0xff1a && c <= 0xff20) || (c >= 0xff3b && c <= 0xff40) || (c >= 0xff5b && c <= 0xff65)) return false;
  return true;
}
