import type { HardwareStatusResponse, ModelInput, ModelRecord } from '@iir/contracts';
import { ApiError } from '../errors/api-error';

/** HTTP field → bus field. Unknown HTTP fields pass through unchanged, so the registry names them. */
const FROM_HTTP: Record<string, keyof ModelInput> = {
  name: 'name',
  kind: 'kind',
  protocol: 'protocol',
  base_url: 'baseUrl',
  upstream_model: 'upstreamModel',
  context_window: 'contextWindow',
  pricing: 'pricing',
  modalities: 'modalities',
  aliases: 'aliases',
  fallbacks: 'fallbacks',
  enabled: 'enabled',
};

/**
 * A model body in the seed file's shape (snake_case, `pricing: {prompt, completion}` in USD per
 * million tokens) as the registry's camelCase input. Values are checked by the registry.
 */
export function modelInputFromHttp(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ApiError('invalid_request_error', 'The request body must be a JSON object.');
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key === 'pricing') out['pricing'] = pricingFromHttp(value);
    else out[FROM_HTTP[key] ?? key] = value;
  }
  return out;
}

function pricingFromHttp(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const { prompt, completion, ...rest } = value as Record<string, unknown>;
  // Anything else in it makes the registry refuse the shape, naming `pricing`.
  return { promptPerMTok: prompt, completionPerMTok: completion, ...rest };
}

export function modelJson(m: ModelRecord): Record<string, unknown> {
  return {
    object: 'registry.model',
    name: m.name,
    provider: m.provider,
    kind: m.kind,
    protocol: m.protocol,
    base_url: m.baseUrl,
    upstream_model: m.upstreamModel,
    context_window: m.contextWindow,
    pricing: m.pricing ? { prompt: m.pricing.promptPerMTok, completion: m.pricing.completionPerMTok } : null,
    modalities: m.modalities ?? null,
    aliases: m.aliases,
    fallbacks: m.fallbacks,
    enabled: m.enabled,
    created_at: m.createdAt,
    updated_at: m.updatedAt,
  };
}

export function hardwareJson(status: HardwareStatusResponse): Record<string, unknown> {
  const hw = status.hardware;
  return {
    object: 'registry.status',
    refreshed_at: status.refreshedAt,
    hardware: hw && {
      host: hw.host,
      platform: hw.platform,
      arch: hw.arch,
      cpu_model: hw.cpuModel,
      cpu_cores: hw.cpuCores,
      memory_gb: hw.memoryGb,
      gpus: hw.gpus.map((g) => ({ name: g.name, memory_gb: g.memoryGb, vendor: g.vendor })),
      accelerator: hw.accelerator,
      usable_memory_gb: hw.usableMemoryGb,
      notes: hw.notes,
    },
    recommendations: status.recommendations.map((r) => ({
      id: r.id,
      family: r.family,
      parameters_b: r.parametersB,
      quantization: r.quantization,
      memory_gb: r.memoryGb,
      context_window: r.contextWindow,
      good_for: r.goodFor,
      fit: r.fit,
      why: r.why,
    })),
    agents: (status.agents ?? []).map((a) => ({
      agent_id: a.agentId,
      freshness: a.freshness,
      models: a.models,
      hardware: {
        cpu: a.hardware.cpu ?? null,
        cores: a.hardware.cores ?? null,
        memory_gb: a.hardware.memoryGb ?? null,
        gpu: a.hardware.gpu ?? null,
        accelerator: a.hardware.accelerator ?? null,
      },
    })),
  };
}
