import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Runs a program and resolves its stdout; rejects on a non-zero exit, a missing program or the
 * timeout. Injected so tests feed fixtures instead of spawning.
 */
export type CommandRunner = (cmd: string, args: readonly string[], timeoutMs: number) => Promise<string>;

/** Reads `/sys` and `/proc`; injected so tests point it at a fixture tree. */
export interface FileReader {
  readFile(path: string): Promise<string>;
  /** Entry names of a directory (not full paths). */
  readDir(path: string): Promise<string[]>;
}

/** Starts a long-lived helper whose stdout a probe reads (stdin and stderr ignored). */
export type HelperSpawner = (cmd: string, args: readonly string[]) => ChildProcess;

/** What probes may touch: nothing else, so a test controls all of it. */
export interface SystemAccess {
  run: CommandRunner;
  files: FileReader;
  /** Long-lived helpers (macOS's camera and microphone one); without it such probes answer `unknown`. */
  spawn?: HelperSpawner;
}

export const spawnHelper: HelperSpawner = (cmd, args) => spawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });

// No shell: arguments are never interpreted, and `timeout` kills a hung child so it cannot pile up.
export const execFileRunner: CommandRunner = (cmd, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(
      cmd,
      [...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1024 * 1024, windowsHide: true, encoding: 'utf8' },
      (error, stdout) => (error ? reject(error) : resolve(stdout)),
    );
  });

export const nodeFileReader: FileReader = {
  readFile: (path) => readFile(path, 'utf8'),
  readDir: (path) => readdir(path),
};

/**
 * Reads `/sys/...` as `<root>/sys/...`: a fixture tree in tests, or a host's `/sys` and `/proc`
 * mounted elsewhere when the agent runs in a container.
 */
export function rootedFileReader(root: string): FileReader {
  return {
    readFile: (path) => readFile(join(root, path), 'utf8'),
    readDir: (path) => readdir(join(root, path)),
  };
}

export const REAL_SYSTEM: SystemAccess = { run: execFileRunner, files: nodeFileReader, spawn: spawnHelper };
