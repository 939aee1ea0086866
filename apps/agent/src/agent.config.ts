import { hostname } from 'node:os';
import { env, type commonConfigShape } from '@iir/platform';
import { z } from 'zod';
import { BACKEND_KINDS, type BackendKind } from './backends/backend';

const list = (fallback: string) => z.string().default(fallback).transform((v) => v.split(',').map((s) => s.trim()).filter((s) => s.length > 0));

export const agentConfigShape = {
  AGENT_PORT: env.port(5000),
  HTTP_HOST: env.string('0.0.0.0'),
  /** This agent's id in the registry (letters, digits, `.`, `_`, `-`); default the host name. */
  AGENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, ".", "_" or "-"')
    .default(hostname().replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64) || 'agent'),
  /** The agent credential (an `agent` key issued by an admin: `iir agents token create <id>`). */
  AGENT_CREDENTIAL: env.optionalString(),
  /** Which backends to use, in order of preference when two serve the same model name. */
  AGENT_BACKENDS: list('llama,ollama,openai-compatible').refine((v) => v.every((b) => (BACKEND_KINDS as readonly string[]).includes(b)), {
    message: `must be a comma-separated list of ${BACKEND_KINDS.join(', ')}`,
  }),
  AGENT_HEARTBEAT_MS: env.int(5_000, 10),
  AGENT_DISCOVERY_MS: env.int(10_000, 50),
  /** Generations at once (parallel sequences of one llama context). */
  AGENT_PARALLEL: env.int(1, 1),
  /** Requests that may wait beyond AGENT_PARALLEL; one more is a 429 with Retry-After. */
  AGENT_QUEUE_MAX: env.int(8, 0),
  /** Unload an idle GGUF model after this many seconds (0 = keep it loaded). */
  AGENT_IDLE_UNLOAD_S: env.int(300, 0),
  /** Load the GGUF models at start rather than on first use. */
  AGENT_PRELOAD: env.bool(false),
  /** CPU threads for llama (Metal does the work on Apple Silicon). */
  AGENT_THREADS: env.int(1, 1),
  AGENT_CONTEXT_SIZE: env.int(2048, 64),
  /** Tell whether the camera or microphone is in use (macOS: a helper process, Linux: the microphone from /proc/asound); off leaves both `unknown`. */
  AGENT_CAPTURE_PROBE: env.bool(true),
  /** Where node-llama-cpp runs: `auto` = on the agent's own thread (no thread hop per token), `worker` = in a worker thread. */
  AGENT_LLAMA_THREAD: env.enumOf(['auto', 'worker'] as ['auto', 'worker'], 'auto'),
  /** Tokens generated when a request sets no max_tokens (the answer then ends with finish_reason length). */
  AGENT_DEFAULT_MAX_TOKENS: env.int(1024, 1),
  /** A folder whose `*.gguf` files are served; default the bundled model's folder. */
  AGENT_MODELS_DIR: env.optionalString(),
  /** More GGUF files, comma-separated. */
  AGENT_MODEL_PATHS: list(''),
  OLLAMA_HOST: env.url(['http:', 'https:']).default('http://127.0.0.1:11434'),
  /** Local OpenAI-compatible servers (LM Studio, llama.cpp, mlx_lm), comma-separated `…/v1` URLs. */
  AGENT_OPENAI_BASE_URLS: list('http://127.0.0.1:1234/v1'),
  AGENT_OPENAI_API_KEY: env.optionalString(),
  /**
   * Heartbeat state fields to report instead of what the probes read, as JSON
   * (`{"power_source":"battery","battery_percent":12}`): for demos and tests of the routing rules.
   */
  AGENT_STATE_OVERRIDES: z
    .string()
    .default('{}')
    .transform((v, ctx) => {
      try {
        const parsed: unknown = JSON.parse(v);
        if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) && Object.values(parsed).every((x) => ['string', 'number', 'boolean'].includes(typeof x))) {
          return parsed as Record<string, string | number | boolean>;
        }
      } catch {
        // reported below
      }
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object of strings, numbers and booleans' });
      return z.NEVER;
    }),
  /** HTTP mode (no NATS): the gateway to register with, e.g. http://iir.example:8000. */
  ROUTER_URL: env.url(['http:', 'https:']),
  /** HTTP mode: where the gateway reaches this agent; default http://<host name>:AGENT_PORT. */
  AGENT_PUBLIC_URL: env.url(['http:', 'https:']),
};

export type AgentConfig = z.infer<z.ZodObject<typeof agentConfigShape & typeof commonConfigShape>>;

export type { BackendKind };
