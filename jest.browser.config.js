/**
 * The browser tests (test/browser): headless Chromium against the app on a real port.
 * Same transform and test databases as jest.config.js; run with `npm run test:browser`.
 * @type {import('jest').Config}
 */
const base = require('./jest.config.js');

module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testPathIgnorePatterns: ['/node_modules/'],
  // Starting Chromium and waiting on real page loads takes longer than a supertest round trip.
  testTimeout: 60000,
};
