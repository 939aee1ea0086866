// Shared by every project's jest.config.js. Plain JS on purpose: Nx's generated jest.config.cts
// does not parse under newer TypeScript, and SWC is far faster than ts-jest (type-checking is
// `npm run typecheck`'s job).
const path = require('node:path');
const fs = require('node:fs');

const swcrc = JSON.parse(fs.readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.$schema;

module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@iir/contracts$': path.join(__dirname, 'libs/contracts/src/index.ts'),
    '^@iir/platform$': path.join(__dirname, 'libs/platform/src/index.ts'),
    '^@iir/persistence$': path.join(__dirname, 'libs/persistence/src/index.ts'),
    '^@iir/testing$': path.join(__dirname, 'libs/testing/src/index.ts'),
  },
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  setupFiles: [path.join(__dirname, 'tools/jest/setup.js')],
  testTimeout: 30_000,
};
