import { isPromptLabel, type PromptLabel } from '@iir/contracts';
import { readFileSync } from 'node:fs';

/** One labelled prompt, as in the `.jsonl` files (`{"prompt", "label"}`, other fields ignored). */
export interface Example {
  prompt: string;
  label: PromptLabel;
  source?: string;
}

export function readJsonl(file: string): Example[] {
  const examples: Example[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim().length === 0) return;
      const row = JSON.parse(line) as { prompt?: unknown; label?: unknown; source?: unknown };
      if (typeof row.prompt !== 'string' || !isPromptLabel(row.label)) {
        throw new Error(`${file}:${i + 1}: expected {"prompt": string, "label": one of the 8 labels}`);
      }
      examples.push({ prompt: row.prompt, label: row.label, ...(typeof row.source === 'string' ? { source: row.source } : {}) });
    });
  return examples;
}

/**
 * Public rows whose label contradicts the label definitions, dropped from training (see the data
 * README): Dolly "general_qa" trade-off and personal-advice questions labelled qa, and Dolly
 * "classification" quiz items ("Which is a fish? Tope or Rope") labelled extraction with no text.
 */
export function isContradictory(example: Example): boolean {
  const p = example.prompt;
  // Non-English appears only in public math and chat rows; kept, it would teach "not English = chat".
  if ((example.source === 'chatterbot' || example.source === 'mgsm') && /[^\p{ASCII}]/u.test(p)) return true;
  if (example.source === 'chatterbot' && !/\b(i|you|the|is|are|what|do|hello|hi|how|me|my)\b/i.test(p)) return true;
  if (example.label === 'qa' && example.source === 'dolly' && p.length < 400) {
    if (/\b(should i|should we|pros and cons|advantages and disadvantages|better|worse|vs\.?|versus|or not|worth it|how (do|can) i (get|make|stay|become|deal|stop|overcome|improve))\b/i.test(p)) return true;
  }
  if (example.label === 'extraction' && example.source === 'dolly' && p.length < 200 && !p.includes('\n')) {
    if (/^(which|what) (is|are|one|of (these|the following))\b|\bor\b[^,]*\?$/i.test(p)) return true;
  }
  return false;
}
