/** `<PROVIDER>_TPM_LIMIT`: the gateway's token budget per minute with each provider (0 = none). */
export const PROVIDER_TPM_VARIABLES = [
  'OPENAI_TPM_LIMIT',
  'ANTHROPIC_TPM_LIMIT',
  'OPENROUTER_TPM_LIMIT',
  'DEEPSEEK_TPM_LIMIT',
  'GEMINI_TPM_LIMIT',
  'VLLM_TPM_LIMIT',
  'LLMD_TPM_LIMIT',
  'OLLAMA_TPM_LIMIT',
] as const;

/** Provider name (as in the registry: `openai`, `llm-d`, …) → TPM, for the limits that are set. */
export function providerTpmLimits(config: Readonly<Record<string, unknown>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const variable of PROVIDER_TPM_VARIABLES) {
    const value = config[variable];
    if (typeof value !== 'number' || value <= 0) continue;
    const provider = variable.slice(0, -'_TPM_LIMIT'.length).toLowerCase();
    out[provider === 'llmd' ? 'llm-d' : provider] = value;
  }
  return out;
}
