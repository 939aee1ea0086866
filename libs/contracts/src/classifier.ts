import type { ChatContentPart, ChatMessage } from './openai';

/** The eight prompt categories the classifier tells apart (see the README for their definitions). */
export const PROMPT_LABELS = ['code', 'math', 'reasoning', 'creative', 'summarization', 'extraction', 'qa', 'chat'] as const;

export type PromptLabel = (typeof PROMPT_LABELS)[number];

/** How much a strong model matters for the prompt. */
export type PromptComplexity = 'simple' | 'complex';

export function isPromptLabel(value: unknown): value is PromptLabel {
  return typeof value === 'string' && (PROMPT_LABELS as readonly string[]).includes(value);
}

/** One turn as the classifier sees it: text only. */
export interface ClassifierMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
  /** The length of the original content when `content` was shortened before sending. */
  originalLength?: number;
}

/**
 * What to classify: the last user message plus the context that disambiguates a short follow-up
 * (the system prompt and the previous turn). Oldest first; the last `user` message is the one
 * classified. Long contents may be shortened; nothing is rejected for its size.
 */
export interface ClassifyRequest {
  messages: ClassifierMessage[];
  requestId?: string;
}

export interface ClassifyResponse {
  label: PromptLabel;
  /** The probability of `label`, 0..1. */
  confidence: number;
  /** The probability of every label; they sum to 1. */
  scores: Record<PromptLabel, number>;
  complexity: PromptComplexity;
}

/** How many characters of the classified message travel on the bus: its head and its tail. */
export const CLASSIFIER_HEAD_CHARS = 6_000;
export const CLASSIFIER_TAIL_CHARS = 2_000;
/** How many characters of each context message travel on the bus. */
export const CLASSIFIER_CONTEXT_CHARS = 1_500;

/**
 * Keeps what the classifier needs from a chat conversation: the first system prompt, the turn
 * before the last user message, and the last user message, each shortened to its head (and, for the
 * last user message, its tail). Image parts and tool messages are dropped.
 */
export function toClassifierMessages(messages: readonly ChatMessage[]): ClassifierMessage[] {
  const lastUser = findLastIndex(messages, (m) => m.role === 'user');
  if (lastUser < 0) return [];
  const out: ClassifierMessage[] = [];
  const system = messages.slice(0, lastUser).find((m) => m.role === 'system' || m.role === 'developer');
  if (system) out.push(shorten('system', textOf(system.content), CLASSIFIER_CONTEXT_CHARS, 0));
  const previousUser = findLastIndex(messages.slice(0, lastUser), (m) => m.role === 'user');
  const previous = messages.slice(Math.max(previousUser, 0), lastUser).filter((m) => m.role === 'user' || m.role === 'assistant');
  for (const m of previous.slice(-2)) {
    out.push(shorten(m.role === 'user' ? 'user' : 'assistant', textOf(m.content), CLASSIFIER_CONTEXT_CHARS, 0));
  }
  const last = messages[lastUser];
  out.push(shorten('user', textOf(last?.content ?? ''), CLASSIFIER_HEAD_CHARS, CLASSIFIER_TAIL_CHARS));
  return out.filter((m) => m.content.length > 0 || m.role === 'user');
}

function shorten(role: ClassifierMessage['role'], text: string, head: number, tail: number): ClassifierMessage {
  if (text.length <= head + tail) return { role, content: text };
  const content = tail > 0 ? `${text.slice(0, head)}\n…\n${text.slice(-tail)}` : text.slice(0, head);
  return { role, content, originalLength: text.length };
}

function textOf(content: string | ChatContentPart[] | null): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content
    .map((part) => (part.type === 'text' && typeof part['text'] === 'string' ? part['text'] : ''))
    .filter((t) => t.length > 0)
    .join('\n');
}

function findLastIndex<T>(items: readonly T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item !== undefined && test(item)) return i;
  }
  return -1;
}
