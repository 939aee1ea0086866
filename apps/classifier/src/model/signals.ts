/**
 * Hand-made measurements of a prompt that words alone do not carry well: how code-like, how
 * numeric, how structured and how long it is. Used as features and by the complexity rule.
 */
export interface TextSignals {
  chars: number;
  words: number;
  lines: number;
  /** Lines that look like source code (indented, keyword-led, or ending in `;`, `{`, `}`, `:`). */
  codeLines: number;
  /** `{}[]();=<>` per 100 characters. */
  codeSymbolDensity: number;
  hasCodeFence: boolean;
  /** Digits per 100 characters. */
  digitDensity: number;
  /** `3 + 4`, `x^2`, `2x = 6`: arithmetic between numbers or variables. */
  mathOperations: number;
  hasLatex: boolean;
  questionMarks: number;
  endsWithQuestion: boolean;
  /** Lines that start like an item of a list (`-`, `*`, `•`, `1.`, `2)`). */
  listItems: number;
  /** Characters of the first line, and whether a long body follows it (an ask, then pasted text). */
  firstLineChars: number;
  lastLineChars: number;
}

const CODE_SYMBOLS = new Set([...'{}[]();=<>'].map((c) => c.charCodeAt(0)));
const CODE_LINE =
  /^(\s{2,}|\t)\S|[;{}]\s*$|^\s*(def|class|import|from|function|const|let|var|return|if|elif|for|while|public|private|static|#include|select|insert|update|delete|create|fn|func|package|using|try|catch|except|async|await|echo|sudo|npm|pip|git|docker|kubectl|cd|ls)\b|^\s*(\/\/|#!|<\/?[a-z]+[ >])|=>|:\s*$/i;
const MATH_OPERATION = /(\d|\b[a-z])\s*[-+*/^×÷=]\s*(\d|\(|[a-z]\b)|\d\s*%|√|∫|∑|≤|≥|≠/gi;
const LATEX = /\\(frac|sqrt|int|sum|cdot|times|pi|theta|alpha|left|right|begin)|\$[^$\n]{1,80}\$/;
const LIST_ITEM = /^\s*([-*•]|\d{1,2}[.)])\s+/;

export function measure(text: string): TextSignals {
  let digits = 0;
  let symbols = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (CODE_SYMBOLS.has(c)) symbols++;
  }
  const lines = text.split('\n');
  let codeLines = 0;
  let listItems = 0;
  let nonEmpty = 0;
  for (const line of lines) {
    if (line.trim().length === 0) continue;
    nonEmpty++;
    if (CODE_LINE.test(line)) codeLines++;
    if (LIST_ITEM.test(line)) listItems++;
  }
  const trimmed = text.trim();
  const per100 = (n: number): number => (text.length === 0 ? 0 : (100 * n) / text.length);
  const firstLine = lines.find((l) => l.trim().length > 0) ?? '';
  const lastLine = [...lines].reverse().find((l) => l.trim().length > 0) ?? '';
  return {
    chars: text.length,
    words: trimmed.length === 0 ? 0 : trimmed.split(/\s+/).length,
    lines: nonEmpty,
    codeLines,
    codeSymbolDensity: per100(symbols),
    hasCodeFence: text.includes('```'),
    digitDensity: per100(digits),
    mathOperations: text.match(MATH_OPERATION)?.length ?? 0,
    hasLatex: LATEX.test(text),
    questionMarks: countOf(text, '?') + countOf(text, '？'),
    endsWithQuestion: /[?？]\s*$/.test(trimmed),
    listItems,
    firstLineChars: firstLine.trim().length,
    lastLineChars: lastLine.trim().length,
  };
}

/** The signals as indicator tokens (bucketed), for the linear model. */
export function signalTokens(s: TextSignals): string[] {
  const tokens = [
    `len:${bucket(s.chars, [8, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120])}`,
    `words:${bucket(s.words, [1, 2, 3, 5, 8, 15, 30, 60, 120, 250])}`,
    `lines:${bucket(s.lines, [1, 2, 4, 8, 16, 40])}`,
    `codelines:${bucket(s.codeLines, [0, 1, 3, 8, 20])}`,
    `codefrac:${bucket(s.lines === 0 ? 0 : s.codeLines / s.lines, [0, 0.2, 0.5, 0.8])}`,
    `symbols:${bucket(s.codeSymbolDensity, [0.5, 1.5, 3, 6, 12])}`,
    `digits:${bucket(s.digitDensity, [0, 1, 3, 8, 20, 40])}`,
    `mathops:${bucket(s.mathOperations, [0, 1, 3, 8])}`,
    `qmarks:${bucket(s.questionMarks, [0, 1, 2, 4])}`,
    `list:${bucket(s.listItems, [0, 2, 5, 12])}`,
  ];
  if (s.hasCodeFence) tokens.push('fence');
  if (s.hasLatex) tokens.push('latex');
  if (s.endsWithQuestion) tokens.push('q:end');
  // A short ask followed (or preceded) by a long pasted text: summarize / extract / closed QA.
  if (s.chars > 400 && s.firstLineChars < 200 && s.chars - s.firstLineChars > 300) tokens.push('pasted:after-ask');
  if (s.chars > 400 && s.lastLineChars < 200 && s.chars - s.lastLineChars > 300) tokens.push('pasted:before-ask');
  return tokens;
}

function bucket(value: number, edges: readonly number[]): number {
  let i = 0;
  while (i < edges.length && value > (edges[i] ?? Infinity)) i++;
  return i;
}

function countOf(text: string, char: string): number {
  let n = 0;
  for (let i = text.indexOf(char); i >= 0; i = text.indexOf(char, i + 1)) n++;
  return n;
}
