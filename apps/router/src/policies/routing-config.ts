import type { RoutingPolicyView } from '@iir/contracts';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { autoSchema, toAutoPolicy, type AutoPolicy } from '../auto/auto-config';
import { globToRegExp } from '@iir/platform';
import { MEMORY_PRESSURES, NO_AGENT_RULES, THERMAL_LEVELS, type AgentRules, type AgentRulesConfig } from '../agents/agent-rules';

const modelName = z.string().trim().min(1, 'must be a model name');

const weighted = z
  .object({
    model: modelName,
    policy: z.literal('weighted'),
    targets: z
      .array(z.object({ model: modelName, weight: z.number().positive('must be a positive number') }).strict())
      .min(1, 'must list at least one target'),
  })
  .strict();

const leastLoaded = z.object({ model: modelName, policy: z.literal('least-loaded') }).strict();

const hardOffload = z
  .object({
    model: modelName,
    policy: z.literal('hard-offload'),
    offload_to: z.array(modelName).min(1, 'must list at least one remote model'),
  })
  .strict();

const softOffload = z
  .object({
    model: modelName,
    policy: z.literal('soft-offload'),
    offload_to: z.array(modelName).min(1, 'must list at least one remote model'),
    /** Offload when every fresh agent's queue is longer than this. */
    queue_threshold: z.number().int().min(0).default(4),
    /** Below this priority a key is offloaded as soon as no agent has a free slot. */
    min_local_priority: z.number().int().min(0).optional(),
  })
  .strict();

const policy = z.discriminatedUnion('policy', [weighted, leastLoaded, hardOffload, softOffload]);

const agentRules = z
  .object({
    pause_on_battery_below: z.number().min(0).max(100, 'must be a percent (0-100)').optional(),
    pause_when_owner_active_within_s: z.number().min(0, 'must be seconds (>= 0)').optional(),
    owner_active_min_priority: z.number().int().min(0).optional(),
    pause_on_thermal: z.enum(THERMAL_LEVELS).optional(),
    pause_on_memory_pressure: z.enum(MEMORY_PRESSURES).optional(),
    pause_when_camera_or_mic_in_use: z.boolean().optional(),
    pause_on_low_power_mode: z.boolean().optional(),
  })
  .strict();

const agentsSection = agentRules.extend({ overrides: z.record(z.string().min(1), agentRules).default({}) }).strict();

const fileSchema = z
  .object({ policies: z.array(policy).default([]), auto: autoSchema.optional(), agents: agentsSection.optional() })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.policies.forEach((p, i) => {
      const key = p.model.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: ['policies', i, 'model'], message: `'${p.model}' has more than one policy` });
      seen.add(key);
    });
  });

export type RoutingPolicy =
  | { model: string; policy: 'weighted'; targets: Array<{ model: string; weight: number }> }
  | { model: string; policy: 'least-loaded' }
  | { model: string; policy: 'hard-offload'; offloadTo: string[] }
  | { model: string; policy: 'soft-offload'; offloadTo: string[]; queueThreshold: number; minLocalPriority?: number };

/** The parsed routing file: policies by exact model name, then globs in file order. */
export class RoutingPolicies {
  private readonly exact = new Map<string, RoutingPolicy>();
  private readonly globs: Array<{ pattern: RegExp; policy: RoutingPolicy }> = [];

  constructor(
    readonly list: readonly RoutingPolicy[],
    /** The `auto` section: smart routing for `model: "auto"`; absent = `auto` is not configured. */
    readonly auto?: AutoPolicy,
    /** The `agents` section: when an agent's machine state pauses it; absent = never. */
    readonly agentRules: AgentRulesConfig = NO_AGENT_RULES,
  ) {
    for (const p of list) {
      if (p.model.includes('*')) this.globs.push({ pattern: globToRegExp(p.model), policy: p });
      else this.exact.set(p.model.toLowerCase(), p);
    }
  }

  static empty(): RoutingPolicies {
    return new RoutingPolicies([]);
  }

  /** The policy for a (canonical) model name: an exact entry wins over any glob. */
  for(model: string): RoutingPolicy | undefined {
    const key = model.toLowerCase();
    return this.exact.get(key) ?? this.globs.find((g) => g.pattern.test(key))?.policy;
  }

  view(): RoutingPolicyView[] {
    return this.list.map((p) => ({ ...p }));
  }
}

export class RoutingConfigError extends Error {
  override readonly name = 'RoutingConfigError';
}

/** Parses and validates the routing file's text; errors name the offending field (`policies[1].weight`). */
export function parseRoutingConfig(text: string, source = 'routing.yaml'): RoutingPolicies {
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new RoutingConfigError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${fieldPath(i.path)}: ${i.message}`);
    throw new RoutingConfigError(`${source}: ${issues.join('; ')}`);
  }
  return new RoutingPolicies(
    parsed.data.policies.map((p): RoutingPolicy => {
      switch (p.policy) {
        case 'weighted':
          return { model: p.model, policy: p.policy, targets: p.targets };
        case 'least-loaded':
          return { model: p.model, policy: p.policy };
        case 'hard-offload':
          return { model: p.model, policy: p.policy, offloadTo: p.offload_to };
        case 'soft-offload':
          return {
            model: p.model,
            policy: p.policy,
            offloadTo: p.offload_to,
            queueThreshold: p.queue_threshold,
            ...(p.min_local_priority !== undefined ? { minLocalPriority: p.min_local_priority } : {}),
          };
      }
    }),
    parsed.data.auto ? toAutoPolicy(parsed.data.auto) : undefined,
    parsed.data.agents ? toAgentRulesConfig(parsed.data.agents) : NO_AGENT_RULES,
  );
}

type RawRules = z.infer<typeof agentRules>;

function toAgentRules(r: RawRules): AgentRules {
  const out: AgentRules = {};
  if (r.pause_on_battery_below !== undefined) out.pauseOnBatteryBelow = r.pause_on_battery_below;
  if (r.pause_when_owner_active_within_s !== undefined) out.pauseWhenOwnerActiveWithinS = r.pause_when_owner_active_within_s;
  if (r.owner_active_min_priority !== undefined) out.ownerActiveMinPriority = r.owner_active_min_priority;
  if (r.pause_on_thermal !== undefined) out.pauseOnThermal = r.pause_on_thermal;
  if (r.pause_on_memory_pressure !== undefined) out.pauseOnMemoryPressure = r.pause_on_memory_pressure;
  if (r.pause_when_camera_or_mic_in_use !== undefined) out.pauseWhenCameraOrMicInUse = r.pause_when_camera_or_mic_in_use;
  if (r.pause_on_low_power_mode !== undefined) out.pauseOnLowPowerMode = r.pause_on_low_power_mode;
  return out;
}

function toAgentRulesConfig(raw: z.infer<typeof agentsSection>): AgentRulesConfig {
  const { overrides, ...defaults } = raw;
  return {
    defaults: toAgentRules(defaults),
    overrides: Object.fromEntries(Object.entries(overrides).map(([id, r]) => [id, toAgentRules(r)])),
  };
}

function fieldPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(file)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
