/** DI tokens of the agent's module. */
export const MODEL_DIRECTORY = Symbol('agent.model-directory');
export const AGENT_SETTINGS = Symbol('agent.settings');
