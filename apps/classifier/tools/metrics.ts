import { PROMPT_LABELS, type PromptLabel } from '@iir/contracts';

export interface LabelMetrics {
  label: PromptLabel;
  support: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface Evaluation {
  count: number;
  accuracy: number;
  macroF1: number;
  perLabel: LabelMetrics[];
  /** confusion[truth][predicted], in `PROMPT_LABELS` order. */
  confusion: number[][];
}

export function evaluate(pairs: ReadonlyArray<{ truth: PromptLabel; predicted: PromptLabel }>): Evaluation {
  const n = PROMPT_LABELS.length;
  const confusion = PROMPT_LABELS.map(() => new Array<number>(n).fill(0));
  let correct = 0;
  for (const { truth, predicted } of pairs) {
    const row = confusion[PROMPT_LABELS.indexOf(truth)];
    const col = PROMPT_LABELS.indexOf(predicted);
    if (row) row[col] = (row[col] ?? 0) + 1;
    if (truth === predicted) correct++;
  }
  const perLabel = PROMPT_LABELS.map((label, i): LabelMetrics => {
    const tp = confusion[i]?.[i] ?? 0;
    const support = (confusion[i] ?? []).reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + (row[i] ?? 0), 0);
    const precision = predictedCount === 0 ? 0 : tp / predictedCount;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { label, support, precision, recall, f1 };
  });
  const present = perLabel.filter((m) => m.support > 0);
  return {
    count: pairs.length,
    accuracy: pairs.length === 0 ? 0 : correct / pairs.length,
    macroF1: present.length === 0 ? 0 : present.reduce((a, m) => a + m.f1, 0) / present.length,
    perLabel,
    confusion,
  };
}

/** A readable report: per-label precision/recall/F1 and the confusion matrix. */
export function formatEvaluation(title: string, e: Evaluation): string {
  const f = (x: number): string => x.toFixed(3);
  const short = PROMPT_LABELS.map((l) => l.slice(0, 5));
  const lines = [
    `== ${title}: ${e.count} prompts`,
    `accuracy ${f(e.accuracy)}  macro-F1 ${f(e.macroF1)}`,
    'label          support  precision  recall  f1',
    ...e.perLabel.map((m) => `${m.label.padEnd(14)} ${String(m.support).padStart(7)}  ${f(m.precision).padStart(9)}  ${f(m.recall).padStart(6)}  ${f(m.f1)}`),
    `confusion (rows = truth, columns = predicted)`,
    `${''.padEnd(14)} ${short.map((s) => s.padStart(6)).join('')}`,
    ...e.confusion.map((row, i) => `${(PROMPT_LABELS[i] ?? '').padEnd(14)} ${row.map((c) => String(c).padStart(6)).join('')}`),
  ];
  return lines.join('\n');
}

export function summaryLine(e: Evaluation): string {
  return `accuracy=${e.accuracy.toFixed(4)} macro_f1=${e.macroF1.toFixed(4)}`;
}
