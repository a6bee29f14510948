/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' } }],
  // jose ships ES modules only; jest (before Node 24.9) cannot require() them, so it compiles them.
  '/node_modules/jose/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
/** Everything in node_modules is used as it is, except the ES-module-only packages above. */
const transformIgnorePatterns = ['/node_modules/(?!jose/)'];

/**
 * Every test runs on PostgreSQL. The storage-engine contract (REST interactions, bundles,
 * conditional writes, bad input, search) runs a second time on embedded PGlite, the engine of
 * `npm start`; features built on top of that contract (security, scheduling, documents, ...)
 * use the same SQL and run on PostgreSQL only, which keeps CI within its time budget.
 */
const ENGINE_CONTRACT_TESTS = [
  '<rootDir>/test/api/{crud,transaction,conditional,bad-input,profiles,terminology}.api.test.ts',
  '<rootDir>/test/api/search-*.api.test.ts',
  // Background jobs on the one connection of PGlite (a job's work once waited for its own claim).
  '<rootDir>/src/storage/exclusive-job.int.test.ts',
];

/** @type {import('jest').Config} */
const config = {
  // Generous: starting a server on PGlite (migrations, seeding) takes long on a loaded machine.
  testTimeout: 180_000,
  maxWorkers: 2,
  // A worker's heap grows with every test file it runs (module registries, the FHIR definitions);
  // one past this after a file is replaced, so a long run cannot end in an out-of-memory crash.
  workerIdleMemoryLimit: '1GB',
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
      testMatch: ENGINE_CONTRACT_TESTS,
      setupFiles: ['<rootDir>/test/setup/set-pglite.ts'],
    },
  ],
};

module.exports = config;
