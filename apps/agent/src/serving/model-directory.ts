import type { AgentBackend, LocalModel } from '../backends/backend';

/** What the agent serves right now, as discovery keeps it (see `discovery/`). */
export interface ModelDirectory {
  current(): LocalModel[];
  /** The model under its registry name (case-insensitive) and the backend that serves it. */
  find(name: string): { model: LocalModel; backend: AgentBackend } | undefined;
}
