import type { AgentRecord } from '@iir/contracts';
import { utilisation } from './agents-view';

/**
 * The `agents:` section of routing.yaml: when an agent's own machine state pauses it. Every rule is
 * off when absent. A state value the agent reports as `unknown` (or does not report) never pauses.
 */
export interface AgentRules {
  /** Pause while on battery below this percent. */
  pauseOnBatteryBelow?: number;
  /** Pause while the owner touched keyboard/mouse within this many seconds… */
  pauseWhenOwnerActiveWithinS?: number;
  /** …unless the request's priority is at least this. */
  ownerActiveMinPriority?: number;
  /** Pause at this thermal level or worse. */
  pauseOnThermal?: ThermalLevel;
  /** Pause at this memory pressure or worse. */
  pauseOnMemoryPressure?: MemoryPressure;
  pauseWhenCameraOrMicInUse?: boolean;
  pauseOnLowPowerMode?: boolean;
}

/** Rules with per-agent overrides (an override replaces the keys it sets). */
export interface AgentRulesConfig {
  defaults: AgentRules;
  overrides: Record<string, AgentRules>;
}

export const THERMAL_LEVELS = ['nominal', 'fair', 'serious', 'critical'] as const;
export type ThermalLevel = (typeof THERMAL_LEVELS)[number];
export const MEMORY_PRESSURES = ['normal', 'warn', 'critical'] as const;
export type MemoryPressure = (typeof MEMORY_PRESSURES)[number];

export const NO_AGENT_RULES: AgentRulesConfig = { defaults: {}, overrides: {} };

/** The rules that apply to one agent. */
export function rulesFor(config: AgentRulesConfig, agentId: string): AgentRules {
  const own = config.overrides[agentId];
  return own ? { ...config.defaults, ...own } : config.defaults;
}

type State = AgentRecord['state'];

function num(state: State, key: string): number | undefined {
  const v = state[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function level<T extends string>(state: State, key: string, levels: readonly T[]): number | undefined {
  const v = state[key];
  const i = typeof v === 'string' ? levels.indexOf(v as T) : -1;
  return i >= 0 ? i : undefined;
}

/** Why the agent is paused for a request of this priority; `undefined` = it may take it. */
export function pauseReason(agent: Pick<AgentRecord, 'state'>, rules: AgentRules, priority = 0): string | undefined {
  const s = agent.state;
  const battery = num(s, 'battery_percent');
  if (rules.pauseOnBatteryBelow !== undefined && s['power_source'] === 'battery' && battery !== undefined && battery < rules.pauseOnBatteryBelow) {
    return `on battery ${battery}% < ${rules.pauseOnBatteryBelow}%`;
  }
  if (rules.pauseOnLowPowerMode === true && s['low_power_mode'] === true) return 'low power mode';
  const thermal = level(s, 'thermal', THERMAL_LEVELS);
  if (rules.pauseOnThermal !== undefined && thermal !== undefined && thermal >= THERMAL_LEVELS.indexOf(rules.pauseOnThermal)) {
    return `thermal ${THERMAL_LEVELS[thermal]}`;
  }
  const memory = level(s, 'memory_pressure', MEMORY_PRESSURES);
  if (rules.pauseOnMemoryPressure !== undefined && memory !== undefined && memory >= MEMORY_PRESSURES.indexOf(rules.pauseOnMemoryPressure)) {
    return `memory pressure ${MEMORY_PRESSURES[memory]}`;
  }
  if (rules.pauseWhenCameraOrMicInUse === true && (s['camera_in_use'] === true || s['microphone_in_use'] === true)) {
    return 'camera or microphone in use';
  }
  const idle = num(s, 'owner_idle_s');
  const within = rules.pauseWhenOwnerActiveWithinS;
  if (within !== undefined && idle !== undefined && idle < within) {
    const bypass = rules.ownerActiveMinPriority !== undefined && priority >= rules.ownerActiveMinPriority;
    if (!bypass) return `owner active ${Math.round(idle)} s ago (within ${within} s)`;
  }
  return undefined;
}

/**
 * Weights of `agentScore` (lower is better). Queue length dominates: one queued request costs more
 * than every other term together can save (model loaded 3 + all slots 2 + battery 1 + thermal 1 +
 * owner 0.5 = 7.5 < 10), so a longer queue always loses.
 */
export const SCORE_WEIGHTS = {
  queued: 10,
  utilisation: 2,
  notLoaded: 3,
  onBattery: 1,
  /** Per thermal step above nominal (fair 1/3, serious 2/3, critical 1). */
  thermal: 1,
  /** The owner used the machine in the last 5 minutes. */
  ownerActive: 0.5,
} as const;

const OWNER_ACTIVE_S = 300;

/**
 * How good an agent is for a request of this model, lower is better:
 * `10·queue + 2·inFlight/maxConcurrency + 3·(model not loaded) + 1·(on battery)
 * + 1·(thermal step / 3) + 0.5·(owner idle < 300 s)`. Unknown state adds nothing.
 */
export function agentScore(agent: AgentRecord, model: string): number {
  const w = SCORE_WEIGHTS;
  const s = agent.state;
  const loaded = agent.loadedModels.some((m) => m.toLowerCase() === model.toLowerCase());
  const thermal = level(s, 'thermal', THERMAL_LEVELS) ?? 0;
  const idle = num(s, 'owner_idle_s');
  return (
    w.queued * agent.queueLength +
    w.utilisation * Math.min(1, utilisation(agent)) +
    (loaded ? 0 : w.notLoaded) +
    (s['power_source'] === 'battery' ? w.onBattery : 0) +
    (w.thermal * thermal) / 3 +
    (idle !== undefined && idle < OWNER_ACTIVE_S ? w.ownerActive : 0)
  );
}

/** Best first; ties by agent id. */
export function byScore(model: string): (a: AgentRecord, b: AgentRecord) => number {
  return (a, b) => agentScore(a, model) - agentScore(b, model) || a.agentId.localeCompare(b.agentId);
}

export interface AgentChoice {
  /** Unpaused fresh agents, best score first. */
  agents: AgentRecord[];
  skipped: Array<{ agentId: string; reason: string }>;
}

/** Splits the fresh agents serving a model into usable (ordered by score) and paused. */
export function chooseAgents(fresh: readonly AgentRecord[], config: AgentRulesConfig, model: string, priority = 0): AgentChoice {
  const agents: AgentRecord[] = [];
  const skipped: AgentChoice['skipped'] = [];
  for (const a of fresh) {
    const why = pauseReason(a, rulesFor(config, a.agentId), priority);
    if (why) skipped.push({ agentId: a.agentId, reason: why });
    else agents.push(a);
  }
  agents.sort(byScore(model));
  skipped.sort((a, b) => a.agentId.localeCompare(b.agentId));
  return { agents, skipped };
}

/** `; skipped mac-mini: on battery 18% < 30%, …` or ''. */
export function describeSkipped(skipped: AgentChoice['skipped']): string {
  return skipped.length ? `; skipped ${skipped.map((s) => `${s.agentId}: ${s.reason}`).join(', ')}` : '';
}
