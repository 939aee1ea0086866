module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'classifier',
  rootDir: __dirname,
};
