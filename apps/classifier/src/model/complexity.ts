import type { PromptComplexity, PromptLabel } from '@iir/contracts';
import type { TextSignals } from './signals';

/**
 * Whether a strong model matters, as points; 2 or more is `complex`:
 * - length: +1 over 800 characters, +2 over 2,500 (of the original message, before any cut);
 * - several asks: +1 for 3+ list items, +1 for 3+ question marks, +1 for 2+ sequencing words
 *   ("first… then… finally", "step by step"), +1 for 4+ task verbs and +1 more for 6+ (one
 *   sentence that asks to parse, validate, write, test and explain is five asks);
 * - constraints: +1 for any ("must", "without using", "at most", "exactly 3", "O(n)"…), +1 more for 3+;
 * - depth: +2 for proof / system-design / concurrency-class words, +1 for other specialist words
 *   (integral, eigen, trade-off, regulation, diagnosis…), +1 for long-form writing (an essay,
 *   a chapter, "1500 words"), +1 for 15+ lines of pasted code;
 * - the label: reasoning +1 (careful multi-step thought is its definition), chat −1.
 */
export function assessComplexity(label: PromptLabel, text: string, originalLength: number, s: TextSignals): PromptComplexity {
  return complexityPoints(label, text, originalLength, s) >= 2 ? 'complex' : 'simple';
}

const SEQUENCE = /\b(step[- ]by[- ]step|first(ly)?|then|next|finally|after that|afterwards|and also|additionally|d'abord|ensuite|zuerst|dann|primero|luego|después)\b/gi;
const TASK_VERB =
  /\b(writes?|implement\w*|build\w*|creat\w*|pars\w*|stream\w*|validat\w*|convert\w*|refactor\w*|migrat\w*|deploy\w*|test\w*|debug\w*|fix\w*|add\w*|includ\w*|explain\w*|document\w*|compar\w*|analy[sz]\w*|design\w*|optimi[sz]\w*|benchmark\w*|handl\w*|integrat\w*|generat\w*|summari[sz]\w*|translat\w*|list\w*|extract\w*|calculat\w*|estimat\w*|plan\w*|evaluat\w*|recommend\w*)\b/gi;
const CONSTRAINT =
  /\b(must|must not|should not|shouldn't|don't use|do not use|without using|without|at least|at most|no more than|under \d+|exactly \d+|only use|make sure|ensure|requirements?|constraints?|limit(ed)? to|in o\([^)]*\)|time complexity|edge cases?|handle (all|errors)|thread[- ]safe|backwards? compatible|sans|ohne|sin usar)\b/gi;
const DEEP =
  /\b(prove|proof|theorem|lemma|derive|derivation|rigorous(ly)?|formal(ly)? verif\w*|system design|architecture|distributed|concurrency|race condition|deadlock|memory leak|asymptotic|np-hard|démontrer|démonstration|beweise|beweis|demuestra|demostrar)\b/gi;
const SPECIALIST =
  /\b(integral|derivative|differential|eigen\w*|matri(x|ces)|probabilit\w*|statistic\w*|regression|bayes\w*|optimi[sz]\w*|complexity|scalab\w*|latency|throughput|security|vulnerab\w*|cryptograph\w*|compiler|kernel|trade-?offs?|pros and cons|strateg\w*|regulat\w*|legal|contract law|diagnos\w*|pharmacolog\w*|pathophysiolog\w*|thermodynamic\w*|quantum|econometric\w*|in depth|in detail)\b/gi;
const LONG_FORM = /\b(\d{3,5}[- ]?(words?|palabras|mots|wörter)|essay|chapter|screenplay|novel|short story|detailed report|white ?paper)\b/i;

export function complexityPoints(label: PromptLabel, text: string, originalLength: number, s: TextSignals): number {
  let points = 0;
  if (originalLength > 2_500) points += 2;
  else if (originalLength > 800) points += 1;
  if (s.listItems >= 3) points += 1;
  if (s.questionMarks >= 3) points += 1;
  if (count(text, SEQUENCE) >= 2) points += 1;
  const verbs = count(text, TASK_VERB);
  if (verbs >= 4) points += 1;
  if (verbs >= 6) points += 1;
  const constraints = count(text, CONSTRAINT);
  if (constraints >= 1) points += 1;
  if (constraints >= 3) points += 1;
  if (count(text, DEEP) >= 1) points += 2;
  else if (count(text, SPECIALIST) >= 1) points += 1;
  if (LONG_FORM.test(text)) points += 1;
  if (s.codeLines >= 15) points += 1;
  if (label === 'reasoning') points += 1;
  if (label === 'chat') points -= 1;
  return points;
}

function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}
