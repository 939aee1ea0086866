import type { PartialState } from './machine-state';
import type { SystemAccess } from './system-access';

/** One independent reading (a command, a few files) and the fields it can tell. */
export interface StateProbe {
  /** Names it in tests and logs: `pmset-batt`, `linux-thermal`. */
  readonly name: string;
  /** May reject or hang: the caller bounds it and turns failure into `unknown`. */
  read(system: SystemAccess, timeoutMs: number): Promise<PartialState>;
  /** Stops what the probe keeps running (a helper process), on the agent's shutdown. */
  close?(): void;
}

/** A probe that runs one command and parses its stdout. */
export function commandProbe(
  name: string,
  cmd: string,
  args: readonly string[],
  parse: (stdout: string) => PartialState,
): StateProbe {
  return {
    name,
    read: async (system, timeoutMs) => parse(await system.run(cmd, args, timeoutMs)),
  };
}

/** A probe that reads one file and parses it. */
export function fileProbe(name: string, path: string, parse: (text: string) => PartialState): StateProbe {
  return {
    name,
    read: async (system) => parse(await system.files.readFile(path)),
  };
}
