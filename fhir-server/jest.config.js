/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
};

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
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
    },
    {
      displayName: 'pglite',
      testEnvironment: 'node',
      transform,
      testMatch: ['<rootDir>/test/api/**/*.api.test.ts'],
      setupFiles: ['<rootDir>/test/setup/set-pglite.ts'],
    },
  ],
};

module.exports = config;
