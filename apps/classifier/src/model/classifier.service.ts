import { BusError, isPromptLabel, type ClassifierMessage, type ClassifyRequest, type ClassifyResponse } from '@iir/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { PromptClassifier } from './prompt-classifier';

export const CLASSIFIER_MODEL = Symbol('CLASSIFIER_MODEL');

const ROLES = new Set<ClassifierMessage['role']>(['system', 'user', 'assistant']);

/** Checks a request off the bus and classifies it; a malformed one is an `invalid_request_error`. */
@Injectable()
export class ClassifierService {
  constructor(@Inject(CLASSIFIER_MODEL) private readonly classifier: PromptClassifier) {}

  classify(request: unknown): ClassifyResponse {
    const checked = checkRequest(request);
    const response = this.classifier.classify(checked);
    if (!isPromptLabel(response.label)) throw new BusError('internal_error', `the model produced an unknown label ${String(response.label)}`);
    return response;
  }
}

function checkRequest(request: unknown): ClassifyRequest {
  const messages = (request as { messages?: unknown } | null)?.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new BusError('invalid_request_error', 'messages must be a non-empty array of {role, content}');
  }
  const checked: ClassifierMessage[] = messages.map((m: unknown, i) => {
    const { role, content, originalLength } = (m ?? {}) as Partial<ClassifierMessage>;
    if (typeof role !== 'string' || !ROLES.has(role) || typeof content !== 'string') {
      throw new BusError('invalid_request_error', `messages[${i}] must be {role: system|user|assistant, content: string}`);
    }
    return { role, content, ...(typeof originalLength === 'number' ? { originalLength } : {}) };
  });
  return { messages: checked };
}
