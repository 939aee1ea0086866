/** Liveness settings of the agents' view, from `AGENT_HEARTBEAT_MS` and `AGENT_STALE_AFTER_MS`. */
export interface AgentSettings {
  heartbeatMs: number;
  /** No heartbeat (or registration) for this long → stale. */
  staleAfterMs: number;
  /** How often the sweep looks for agents that went quiet. */
  sweepMs: number;
  /** How often an agent's last-seen time is written to the table (heartbeats live in memory). */
  persistLastSeenMs: number;
  /** `required`: registrations and heartbeats carry an agent (or admin) credential; `off`: the bus is trusted. */
  auth: 'required' | 'off';
  /** SHA-256 of `IIR_ADMIN_KEY`, which may speak for any agent. */
  adminKeyHash?: Buffer;
}

export const AGENT_SETTINGS = Symbol('AGENT_SETTINGS');
