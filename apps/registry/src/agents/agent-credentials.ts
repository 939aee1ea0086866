import { createHash, timingSafeEqual } from 'node:crypto';
import { AuthClient, BusError, TypedBus } from '@iir/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { AGENT_SETTINGS, type AgentSettings } from './agent-settings';

/** How long a verified credential is reused; a revoked agent key stops working within this. */
const VERIFIED_TTL_MS = 10_000;

/**
 * Who may speak for an agent id on the bus: an `agent` key issued for that id, or an admin key
 * (`IIR_ADMIN_KEY`, or an admin key from `auth`). Checked on every registration and heartbeat when
 * `AGENT_AUTH` is `required` (the default on NATS, where anyone with the bus could otherwise
 * claim an id); `off` only where the bus is the process itself (the one-process `npm start`).
 * The credential never leaves this check: only its SHA-256 goes to `auth`, and nothing is logged.
 */
@Injectable()
export class AgentCredentials {
  private readonly auth: AuthClient;
  private readonly verified = new Map<string, { at: number; role: string; agentId: string | null }>();

  constructor(
    bus: TypedBus,
    @Inject(AGENT_SETTINGS) private readonly settings: AgentSettings,
  ) {
    this.auth = new AuthClient(bus.raw, 2_000);
  }

  async check(agentId: string, credential: unknown): Promise<void> {
    if (this.settings.auth === 'off') return;
    if (typeof credential !== 'string' || credential.length === 0) {
      throw new BusError('invalid_api_key', `Agent '${agentId}' sent no credential: an admin issues one with 'iir agents token create ${agentId}' (AGENT_CREDENTIAL).`, {
        param: 'credential',
      });
    }
    const hash = createHash('sha256').update(credential).digest();
    if (this.settings.adminKeyHash && hash.length === this.settings.adminKeyHash.length && timingSafeEqual(hash, this.settings.adminKeyHash)) return;
    const who = await this.lookup(hash.toString('hex'));
    if (who.role === 'admin') return;
    if (who.role === 'agent' && who.agentId === agentId) return;
    throw new BusError('permission_denied', `This credential may not speak for agent '${agentId}'.`, { param: 'agentId' });
  }

  private async lookup(hex: string): Promise<{ role: string; agentId: string | null }> {
    const cached = this.verified.get(hex);
    if (cached && Date.now() - cached.at < VERIFIED_TTL_MS) return cached;
    let verdict;
    try {
      verdict = await this.auth.verifyKey(hex);
    } catch (error) {
      throw new BusError('service_unavailable', `Agent credentials cannot be checked: ${BusError.from(error).message}`);
    }
    if (!verdict.usable || !verdict.key) {
      this.verified.delete(hex);
      const why = verdict.reason === 'revoked' ? 'has been revoked' : verdict.reason === 'expired' ? 'has expired' : 'is not a known key';
      throw new BusError('invalid_api_key', `The agent credential ${why}.`, { param: 'credential' });
    }
    const entry = { at: Date.now(), role: verdict.key.role, agentId: verdict.key.agentId ?? null };
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(hex, entry);
    return entry;
  }
}
