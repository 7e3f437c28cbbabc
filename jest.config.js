/**
 * Four projects: unit tests need nothing running; integration tests need the local stack (npm run
 * stack:up); soak tests (npm run test:soak) and the quick chaos seed (npm run test:chaos) need it
 * too and take minutes, so npm test leaves them out.
 */
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];
module.exports = {
  // A global option in Jest 30 (ignored inside projects): integration tests wait on real services.
  testTimeout: 120000,
  testSequencer: '<rootDir>/tests/slow-first-sequencer.js',
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/tests/unit/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testEnvironment: 'node',
    },
    {
      displayName: 'chaos',
      testMatch: ['<rootDir>/tests/chaos/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testEnvironment: 'node',
    },
    {
      displayName: 'soak',
      testMatch: ['<rootDir>/tests/soak/**/*.test.ts'],
      transform: { '^.+\\.ts$': tsJest },
      testEnvironment: 'node',
    },
  ],
};
