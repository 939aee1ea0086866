#!/usr/bin/env node
// Runs one of the classifier's TypeScript tools (train, eval, bench): bundles it with esbuild into
// tmp/ (npm packages stay external) and runs it with the remaining arguments.
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const [name, ...args] = process.argv.slice(2);
const tools = ['train', 'eval', 'bench'];
if (!tools.includes(name)) {
  console.error(`usage: node apps/classifier/tools/run.mjs <${tools.join('|')}> [args]`);
  process.exit(2);
}
const outfile = path.join(root, 'tmp/classifier-tools', `${name}.js`);
await build({
  absWorkingDir: root,
  entryPoints: [`apps/classifier/tools/${name}.ts`],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  sourcemap: 'inline',
  tsconfig: 'tsconfig.base.json',
  logLevel: 'warning',
});
const result = spawnSync(process.execPath, ['--enable-source-maps', outfile, ...args], { stdio: 'inherit', cwd: root });
process.exit(result.status ?? 1);
