/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Browser tests need Chromium, which a fresh machine lacks: they run with `npm run test:browser`.
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/', '\\.browser\\.test\\.ts$'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  // Each worker holds its own databases; two workers suit the two-core machines this runs on.
  maxWorkers: process.env.JEST_WORKERS ?? 2,
  // A worker that has run a dozen files ends with several hundred MB of heap, and Node needs
  // 0.5-2 s on two busy cores to tear that down after the worker's last handle has closed.
  // Jest's default grace of 500 ms then kills it and blames a leak. A real leak (an open pool,
  // server, child process or timer) keeps a worker alive for good and is still reported.
  workerGracefulExitTimeout: 5000,
};
