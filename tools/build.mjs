#!/usr/bin/env node
// Bundles each app (and the all-in-one launcher) into dist/apps/<name>/main.js with esbuild.
// esbuild cannot emit decorator metadata, which Nest's dependency injection needs, so TypeScript
// goes through SWC first (same .swcrc as the tests). npm packages stay external.
import { build } from 'esbuild';
import { transformFile } from '@swc/core';
import { copyFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const swcrc = JSON.parse(readFileSync(path.join(root, '.swcrc'), 'utf8'));
delete swcrc.$schema;
const swcOptions = { ...swcrc, swcrc: false, sourceMaps: 'inline', module: { type: 'es6' } };

const entries = {
  gateway: 'apps/gateway/src/main.ts',
  router: 'apps/router/src/main.ts',
  registry: 'apps/registry/src/main.ts',
  auth: 'apps/auth/src/main.ts',
  classifier: 'apps/classifier/src/main.ts',
  agent: 'apps/agent/src/main.ts',
  cli: 'apps/cli/src/main.ts',
  'all-in-one': 'tools/all-in-one/main.ts',
  'bench-upstream': 'tools/bench/fake-upstream.ts',
  'bench-limiter': 'tools/bench/limiter-bench.ts',
  migrate: 'tools/db/migrate.ts',
  seed: 'tools/db/seed.ts',
};

const swcPlugin = {
  name: 'swc-decorators',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      const out = await transformFile(args.path, { ...swcOptions, filename: args.path });
      return { contents: out.code, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const wanted = process.argv.slice(2);
const names = wanted.length ? wanted : Object.keys(entries);
for (const name of names) {
  if (!entries[name]) {
    console.error(`unknown app "${name}"; one of: ${Object.keys(entries).join(', ')}`);
    process.exit(2);
  }
}
const started = Date.now();
await Promise.all(
  names.map((name) =>
    build({
      absWorkingDir: root,
      entryPoints: [entries[name]],
      outfile: `dist/apps/${name}/main.js`,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      packages: 'external',
      sourcemap: 'linked',
      tsconfig: 'tsconfig.base.json',
      keepNames: true,
      logLevel: 'warning',
      plugins: [swcPlugin],
    }),
  ),
);
// The llama worker is plain ESM loaded by a worker thread (node-llama-cpp has top-level await):
// it ships beside the bundles that may run the agent.
for (const name of names.filter((n) => n === 'agent' || n === 'all-in-one')) {
  copyFileSync(path.join(root, 'apps/agent/src/backends/llama/llama-worker.mjs'), path.join(root, `dist/apps/${name}/llama-worker.mjs`));
}
if (!process.env.IIR_BUILD_QUIET) console.error(`built ${names.join(', ')} in ${Date.now() - started} ms`);
