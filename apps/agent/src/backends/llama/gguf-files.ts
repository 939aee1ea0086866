import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { localModelName } from '../backend';

/** The bundled tiny model's file and the name it is served under. */
export const BUNDLED_MODEL_FILE = 'stories260K.gguf';
export const BUNDLED_MODEL_NAME = 'local/stories-260k';

/** `models/stories260K.gguf` from the working directory or the checkout this code runs from. */
export function bundledModelPath(): string | undefined {
  const candidates = [
    path.resolve(process.cwd(), 'models', BUNDLED_MODEL_FILE),
    path.resolve(__dirname, '../../../models', BUNDLED_MODEL_FILE), // dist/apps/<app>/main.js
    path.resolve(__dirname, '../../../../../models', BUNDLED_MODEL_FILE), // apps/agent/src/backends/llama
  ];
  return candidates.find((p) => existsSync(p));
}

export interface GgufFile {
  path: string;
  /** The file's stem: what the backend calls the model. */
  id: string;
  name: string;
}

/** The given files that exist, then every `*.gguf` in the folder; a name seen twice keeps the first. */
export function listGgufFiles(paths: readonly string[], dir: string | undefined, names: Readonly<Record<string, string>> = {}): GgufFile[] {
  const found: string[] = [];
  for (const p of paths) if (isFile(p)) found.push(path.resolve(p));
  if (dir) {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      // An absent folder serves nothing; the agent's status says which backends are up.
    }
    for (const entry of entries.sort()) if (entry.toLowerCase().endsWith('.gguf') && isFile(path.join(dir, entry))) found.push(path.resolve(dir, entry));
  }
  const seen = new Set<string>();
  const files: GgufFile[] = [];
  for (const file of found) {
    const id = path.basename(file).replace(/\.gguf$/i, '');
    const name = names[file] ?? (path.basename(file) === BUNDLED_MODEL_FILE ? BUNDLED_MODEL_NAME : localModelName(id));
    if (seen.has(name)) continue;
    seen.add(name);
    files.push({ path: file, id, name });
  }
  return files;
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}
