import { assertUnreachable } from '@iir/contracts';
import path from 'node:path';
import type { JsonLogger } from '@iir/platform';
import type { AgentConfig } from './agent.config';
import type { MachineProbe } from './agent-runtime';
import type { AgentBackend, BackendKind } from './backends/backend';
import { bundledModelPath } from './backends/llama/gguf-files';
import { LlamaBackend } from './backends/llama/llama.backend';
import { OllamaBackend } from './backends/ollama/ollama.backend';
import { OpenAICompatibleBackend } from './backends/openai-compatible/openai-compatible.backend';
import { ModelDiscovery } from './discovery/model-discovery';
import { Scheduler } from './serving/scheduler';
import { readHardware } from './state/hardware';
import { toHeartbeatState } from './state/heartbeat-state';
import { MachineStateProbe } from './state/machine-state.probe';

export interface AgentParts {
  backends: AgentBackend[];
  discovery: ModelDiscovery;
  scheduler: Scheduler;
  probe: MachineProbe;
}

/** The agent's parts from its settings: backends as data, in `AGENT_BACKENDS` order. */
export function composeAgent(config: AgentConfig, logger: JsonLogger): AgentParts {
  const backends = config.AGENT_BACKENDS.flatMap((kind) => backend(kind as BackendKind, config, logger));
  const discovery = new ModelDiscovery({
    backends,
    intervalMs: config.AGENT_DISCOVERY_MS,
    onError: (error) => logger.write('warn', 'model discovery failed', { err: (error as Error).message }),
  });
  const state = new MachineStateProbe({ capture: config.AGENT_CAPTURE_PROBE, onProblem: (message) => logger.write('warn', message) });
  const overrides = config.AGENT_STATE_OVERRIDES;
  let hardware: ReturnType<typeof readHardware> | undefined;
  return {
    backends,
    discovery,
    scheduler: new Scheduler({ parallel: config.AGENT_PARALLEL, queueMax: config.AGENT_QUEUE_MAX }),
    probe: {
      state: async () => ({ ...toHeartbeatState(await state.read()), ...overrides }),
      // The hardware does not change while the agent runs: read once.
      hardware: () => (hardware ??= readHardware()),
      close: () => state.close(),
    },
  };
}

function backend(kind: BackendKind, config: AgentConfig, logger: JsonLogger): AgentBackend[] {
  switch (kind) {
    case 'llama': {
      const bundled = bundledModelPath();
      const llama = new LlamaBackend({
        modelPaths: config.AGENT_MODEL_PATHS,
        // Default: the folder of the bundled tiny model, so a fresh install serves local/stories-260k.
        ...((config.AGENT_MODELS_DIR ?? (bundled ? path.dirname(bundled) : undefined)) ? { modelsDir: config.AGENT_MODELS_DIR ?? path.dirname(bundled as string) } : {}),
        threads: config.AGENT_THREADS,
        thread: config.AGENT_LLAMA_THREAD,
        contextSize: config.AGENT_CONTEXT_SIZE,
        defaultMaxTokens: config.AGENT_DEFAULT_MAX_TOKENS,
        parallel: config.AGENT_PARALLEL,
        preload: config.AGENT_PRELOAD,
        idleUnloadS: config.AGENT_IDLE_UNLOAD_S,
        onError: (message, error) => logger.write('warn', message, { err: (error as Error).message }),
        onLoaded: (file, engine) => logger.write('info', 'model loaded', { path: file, engine }),
      });
      llama.start();
      return [llama];
    }
    case 'ollama':
      return [new OllamaBackend({ baseUrl: config.OLLAMA_HOST ?? 'http://127.0.0.1:11434' })];
    case 'openai-compatible':
      return config.AGENT_OPENAI_BASE_URLS.map((baseUrl) => new OpenAICompatibleBackend({ baseUrl, ...(config.AGENT_OPENAI_API_KEY ? { apiKey: config.AGENT_OPENAI_API_KEY } : {}) }));
    default:
      return assertUnreachable(kind);
  }
}
