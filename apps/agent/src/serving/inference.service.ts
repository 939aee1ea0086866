import { BusError, type ChatCompletionChunk, type ChatCompletionRequest, type EmbeddingsRequest, type EmbeddingsResponse } from '@iir/contracts';
import type { AgentMetrics } from '../agent-metrics';
import type { ModelDirectory } from './model-directory';
import type { Scheduler } from './scheduler';

/** Recent speed and latency, for heartbeats and `/metrics`. */
export interface ServingStats {
  tokensPerSecond: number | undefined;
  ttftMs: number | undefined;
  served: number;
}

/**
 * One chat on this agent, whoever asked (the gateway over the bus, the owner's API): find the model,
 * wait for a slot, stream the backend's chunks, and free the slot the moment the run ends or its
 * caller goes away.
 */
export class InferenceService {
  private readonly stats: ServingStats = { tokensPerSecond: undefined, ttftMs: undefined, served: 0 };

  constructor(
    private readonly models: ModelDirectory,
    private readonly scheduler: Scheduler,
    private readonly metrics: AgentMetrics,
  ) {}

  recent(): ServingStats {
    return { ...this.stats };
  }

  /**
   * Embeddings on this agent: strings only (token ids mean nothing across tokenizers), a slot like a
   * chat (the model's compute is shared), OpenAI's list of vectors back (`base64` as asked).
   */
  async embed(request: EmbeddingsRequest, signal: AbortSignal): Promise<EmbeddingsResponse> {
    const found = this.lookup(request.model);
    const texts = typeof request.input === 'string' ? [request.input] : Array.isArray(request.input) && request.input.every((t) => typeof t === 'string') ? (request.input as string[]) : undefined;
    if (!texts || texts.length === 0) throw new BusError('invalid_request_error', "An agent embeds text: 'input' must be a string or an array of strings.", { param: 'input' });
    if (!found.backend.embed) {
      throw new BusError('invalid_request_error', `'${found.model.name}' is served by this agent's ${found.backend.kind} backend, which makes no embeddings.`, { param: 'model' });
    }
    const label = { model: found.model.name };
    const release = await this.scheduler.acquire(signal);
    this.gauges();
    let outcome = 'error';
    try {
      const embedded = await found.backend.embed(found.model, texts, signal);
      this.metrics.promptTokens.inc(label, embedded.promptTokens);
      const base64 = request.encoding_format === 'base64';
      const answer: EmbeddingsResponse = {
        object: 'list',
        model: found.model.name,
        data: embedded.vectors.map((vector, index) => {
          // A local model makes vectors of its own size; cutting them would not keep their meaning.
          if (typeof request.dimensions === 'number' && request.dimensions !== vector.length) {
            throw new BusError('invalid_request_error', `'${found.model.name}' makes ${vector.length}-dimensional vectors; 'dimensions' cannot change that.`, { param: 'dimensions' });
          }
          return { object: 'embedding', index, embedding: base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector };
        }),
        usage: { prompt_tokens: embedded.promptTokens, total_tokens: embedded.promptTokens },
      };
      outcome = 'ok';
      return answer;
    } finally {
      release();
      this.metrics.requests.inc({ ...label, outcome: signal.aborted && outcome !== 'ok' ? 'cancelled' : outcome });
      this.gauges();
    }
  }

  private lookup(model: string): NonNullable<ReturnType<ModelDirectory['find']>> {
    const found = this.models.find(model);
    if (!found) {
      const served = this.models.current().map((m) => m.name);
      throw new BusError('model_not_found', `This agent does not serve '${model}'. It serves: ${served.join(', ') || '(nothing yet)'}.`, {
        param: 'model',
      });
    }
    return found;
  }

  /** Checks the model before a slot is taken, so an unknown model is a 404 even on a busy agent. */
  async *chat(request: ChatCompletionRequest, signal: AbortSignal): AsyncGenerator<ChatCompletionChunk, void> {
    const found = this.lookup(request.model);
    const label = { model: found.model.name };
    let release: (() => void) | undefined;
    try {
      release = await this.scheduler.acquire(signal);
    } catch (error) {
      this.metrics.requests.inc({ ...label, outcome: signal.aborted ? 'cancelled' : 'busy' });
      throw error;
    }
    this.gauges();
    const started = Date.now();
    let firstAt: number | undefined;
    let completion = 0;
    let outcome = 'error';
    try {
      for await (const chunk of found.backend.chat({ model: found.model, request: { ...request, model: found.model.name }, signal })) {
        if (firstAt === undefined && chunk.choices.some((c) => typeof c.delta?.content === 'string' && c.delta.content.length > 0)) {
          firstAt = Date.now();
          this.metrics.ttft.observe(label, (firstAt - started) / 1000);
        }
        if (chunk.usage) {
          completion = chunk.usage.completion_tokens;
          this.metrics.completionTokens.inc(label, chunk.usage.completion_tokens);
          this.metrics.promptTokens.inc(label, chunk.usage.prompt_tokens);
        }
        yield { ...chunk, model: found.model.name };
      }
      outcome = 'ok';
    } finally {
      if (signal.aborted && outcome !== 'ok') outcome = 'cancelled';
      release();
      this.metrics.requests.inc({ ...label, outcome });
      this.record(started, firstAt, completion);
      this.gauges();
    }
  }

  private record(started: number, firstAt: number | undefined, completion: number): void {
    this.stats.served++;
    if (firstAt !== undefined) this.stats.ttftMs = smooth(this.stats.ttftMs, firstAt - started);
    const generatingMs = Date.now() - (firstAt ?? started);
    if (completion > 1 && generatingMs > 0) {
      this.stats.tokensPerSecond = smooth(this.stats.tokensPerSecond, ((completion - 1) * 1000) / generatingMs);
      this.metrics.tokensPerSecond.set(this.stats.tokensPerSecond);
    }
  }

  private gauges(): void {
    this.metrics.inFlight.set(this.scheduler.inFlight);
    this.metrics.queueLength.set(this.scheduler.queueLength);
    this.metrics.freeSlots.set(this.scheduler.freeSlots);
  }
}

function smooth(previous: number | undefined, value: number): number {
  return previous === undefined ? value : previous * 0.7 + value * 0.3;
}
