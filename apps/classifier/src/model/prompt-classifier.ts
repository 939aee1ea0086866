import { PROMPT_LABELS, type ClassifierMessage, type ClassifyRequest, type ClassifyResponse, type PromptLabel } from '@iir/contracts';
import { assessComplexity } from './complexity';
import { FeatureBuffer } from './features';
import { argmax, softmax, type LinearModel } from './linear-model';
import { measure } from './signals';
import { textWindow } from './text-window';

/** Context only counts for a short, unsure last message ("and in Go?", "shorter please"). */
const CONTEXT_MAX_CHARS = 160;
const CONTEXT_BELOW_CONFIDENCE = 0.75;
const CONTEXT_CHARS = 1_000;

/**
 * Classifies a prompt with the linear model. The last user message decides; when it is short and
 * the model is unsure, the logits of its context (system prompt and previous turn) are added with a
 * weight that shrinks as the message grows. Not thread-safe by design: it reuses its buffers.
 */
export class PromptClassifier {
  private readonly features: FeatureBuffer;
  private readonly main = new Float64Array(PROMPT_LABELS.length);
  private readonly context = new Float64Array(PROMPT_LABELS.length);

  constructor(private readonly model: LinearModel) {
    this.features = new FeatureBuffer(model.bucketCount);
  }

  /** The label of one text on its own (what training and evaluation measure). */
  labelOf(text: string): PromptLabel {
    return PROMPT_LABELS[argmax(this.logitsOf(textWindow(text), this.main))] ?? 'chat';
  }

  classify(request: ClassifyRequest): ClassifyResponse {
    const messages = request.messages;
    const lastIndex = findLastUser(messages);
    const last = messages[lastIndex];
    const text = last?.content ?? '';
    const window = textWindow(text);
    const signals = measure(window);
    const probabilities = softmax(this.logitsOf(window, this.main, signals));
    const trimmed = window.trim();
    if (trimmed.length <= CONTEXT_MAX_CHARS && (probabilities[argmax(probabilities)] ?? 0) < CONTEXT_BELOW_CONFIDENCE) {
      const context = contextText(messages, lastIndex);
      if (context.length > 0) {
        const weight = 0.6 * (1 - trimmed.length / (CONTEXT_MAX_CHARS + 40));
        this.logitsOf(textWindow(context), this.context);
        this.logitsOf(window, this.main, signals);
        for (let l = 0; l < PROMPT_LABELS.length; l++) this.main[l] = (this.main[l] ?? 0) + weight * (this.context[l] ?? 0);
        softmax(this.main);
      }
    }
    const best = argmax(this.main);
    const label = PROMPT_LABELS[best] ?? 'chat';
    const scores = {} as Record<PromptLabel, number>;
    PROMPT_LABELS.forEach((name, l) => (scores[name] = round(this.main[l] ?? 0)));
    return {
      label,
      confidence: round(this.main[best] ?? 0),
      scores,
      complexity: assessComplexity(label, window, last?.originalLength ?? text.length, signals),
    };
  }

  private logitsOf(window: string, out: Float64Array, signals = measure(window)): Float64Array {
    return this.model.logits(this.features.extract(window, signals), out);
  }
}

function findLastUser(messages: readonly ClassifierMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return i;
  return messages.length - 1;
}

function contextText(messages: readonly ClassifierMessage[], lastIndex: number): string {
  return messages
    .slice(0, Math.max(lastIndex, 0))
    .map((m) => m.content.slice(0, CONTEXT_CHARS))
    .join('\n')
    .trim();
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
