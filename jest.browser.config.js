/**
 * The browser tests (test/browser): headless Chromium against the app on a real port.
 * Same transform and test databases as jest.config.js; run with `npm run test:browser`.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  // test/browser, and the suites elsewhere that need a browser (test/security/*.browser.test.ts).
  roots: ['<rootDir>/test/browser', '<rootDir>/test/security'],
  testMatch: ['<rootDir>/test/browser/**/*.test.ts', '**/*.browser.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Starting Chromium and waiting on real page loads takes longer than a supertest round trip.
  testTimeout: 60000,
};
