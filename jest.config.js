// `npx jest` runs every project; `npx nx test <project>` runs one.
module.exports = {
  projects: ['<rootDir>/apps/*/jest.config.js', '<rootDir>/libs/*/jest.config.js'],
  testTimeout: 30_000,
};
