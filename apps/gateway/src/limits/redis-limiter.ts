import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { type AdmitRequest, type AdmitResult, type SettleRequest, WINDOW_SLICES, countersKey, sliceMsOf } from './limit-backend';
import { ADMIT_SCRIPT, SETTLE_SCRIPT } from './rate-limit.lua';

interface Script {
  text: string;
  sha: string;
}

const script = (text: string): Script => ({ text, sha: createHash('sha1').update(text).digest('hex') });
const ADMIT = script(ADMIT_SCRIPT);
const SETTLE = script(SETTLE_SCRIPT);

/**
 * After a failed command on a connection that still looks ready (a timeout: Redis hung, or the
 * network dropped packets), checks skip Redis this long instead of each waiting for its own timeout.
 */
const COOLDOWN_MS = 1_000;

/** The rate limiter's Redis adapter: each check and each settlement is one atomic script. */
export class RedisLimiter {
  private coolUntil = 0;

  constructor(
    private readonly redis: Redis,
    private readonly clock: () => number = Date.now,
  ) {
    // a fresh connection gets tried at once
    redis.on('ready', () => {
      this.coolUntil = 0;
    });
  }

  /** Cheap probe: without a ready connection (or just after a failure) the limiter does not even try. */
  get ready(): boolean {
    return this.redis.status === 'ready' && this.clock() >= this.coolUntil;
  }

  async admit(req: AdmitRequest): Promise<AdmitResult> {
    const reply = await this.run(ADMIT, countersKey(req.base), [sliceMsOf(req.windowMs), WINDOW_SLICES, req.rpm, req.tpm, req.tokens]);
    const [allowed, limited, retry, count, requestsReset, total, tokensReset, slice] = admitReply(reply);
    const result: AdmitResult = {
      allowed: allowed === 1,
      requests: { used: count, resetMs: requestsReset },
      tokens: { used: total, resetMs: tokensReset },
      slice,
    };
    if (limited === 1) result.limited = 'requests';
    if (limited === 2) result.limited = 'tokens';
    if (retry >= 0) result.retryAfterMs = retry;
    return result;
  }

  async settle(req: SettleRequest): Promise<void> {
    await this.run(SETTLE, countersKey(req.base), [sliceMsOf(req.windowMs), WINDOW_SLICES, req.slice, req.reserved, req.actual]);
  }

  /** EVALSHA, loading the script on the first NOSCRIPT (after a Redis restart, say). */
  private async run(s: Script, key: string, args: Array<string | number>): Promise<unknown> {
    try {
      try {
        return await this.redis.evalsha(s.sha, 1, key, ...args);
      } catch (error) {
        if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
        return await this.redis.eval(s.text, 1, key, ...args);
      }
    } catch (error) {
      this.coolUntil = this.clock() + COOLDOWN_MS;
      throw error;
    }
  }
}

type AdmitReply = [allowed: number, limited: number, retry: number, count: number, requestsReset: number, total: number, tokensReset: number, slice: number];

function admitReply(reply: unknown): AdmitReply {
  if (!Array.isArray(reply) || reply.length !== 8 || !reply.every((v) => typeof v === 'number')) {
    throw new Error(`Unexpected rate-limit script reply: ${JSON.stringify(reply)}`);
  }
  return reply as AdmitReply;
}
