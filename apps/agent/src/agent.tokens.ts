/** DI tokens of the agent's module. */
export const MODEL_DIRECTORY = Symbol('agent.model-directory');
