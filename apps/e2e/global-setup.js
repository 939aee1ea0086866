// Jest globalSetup for the e2e project: bundles every service once (node tools/build.mjs), so the
// tests always drive fresh dist/apps/<app>/main.js files and never a stale build.
const { execFileSync } = require('node:child_process');
const path = require('node:path');

module.exports = async function buildServices() {
  const root = path.resolve(__dirname, '../..');
  const started = Date.now();
  try {
    execFileSync(process.execPath, [path.join(root, 'tools/build.mjs')], {
      cwd: root,
      env: { ...process.env, IIR_BUILD_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 180_000,
    });
  } catch (error) {
    const output = [error.stdout, error.stderr].filter(Boolean).map(String).join('\n');
    throw new Error(`e2e: building the services (node tools/build.mjs) failed after ${Date.now() - started} ms:\n${output || error.message}`);
  }
};
