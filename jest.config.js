/**
 * Four projects: unit tests need nothing running; integration tests need the local stack (npm run
 * stack:up); soak tests (npm run test:soak) and the quick chaos seed (npm run test:chaos) need it
 * too and take minutes, so npm test leaves them out.
 */
const tsJest = ['ts-jest', { isolatedModules: true, diagnostics: false }];

/** A project runs the TypeScript tests under tests/<name>/. */
function project(name) {
  return {
    displayName: name,
    testMatch: [`<rootDir>/tests/${name}/**/*.test.ts`],
    transform: {
      '^.+\\.ts$': tsJest,
      '/node_modules/@platformatic/.+\\.js$': '<rootDir>/tests/esm-package-transform.js',
    },
    // ES-module-only packages Jest must compile to CommonJS (see tests/esm-package-transform.js).
    transformIgnorePatterns: ['/node_modules/(?!@platformatic/)'],
    setupFiles: ['<rootDir>/local/promise-with-resolvers.ts'],
    testEnvironment: 'node',
  };
}

module.exports = {
  // A global option in Jest 30 (ignored inside projects): integration tests wait on real services.
  testTimeout: 120000,
  testSequencer: '<rootDir>/tests/slow-first-sequencer.js',
  projects: ['unit', 'integration', 'chaos', 'soak'].map(project),
};
