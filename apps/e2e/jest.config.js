const path = require('node:path');

module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  // Builds dist/apps/* once before the e2e files run; the tests spawn those bundles.
  globalSetup: path.join(__dirname, 'global-setup.js'),
};
