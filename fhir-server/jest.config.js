/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  // jose ships ES modules only; jest (before Node 24.9) cannot require() them, so it compiles them.
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
/** Everything in node_modules is used as it is, except the ES-module-only packages above. */
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];

/**
 * Unit and integration tests run once; the HTTP API suite runs twice, on PostgreSQL and on
 * embedded PGlite, because both are supported storage engines.
 */
/** @type {import('jest').Config} */
const config = {
  testTimeout: 60_000,
  maxWorkers: 2,
  projects: [
    {
      displayName: 'postgres',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
    {
      displayName: 'pglite',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/api/**/*.api.test.ts'],
      setupFiles: ['<rootDir>/test/setup/set-pglite.ts'],
    },
  ],
};

module.exports = config;
