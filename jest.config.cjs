// One Jest config, three layers (STYLE.md convention 11):
//   unit        *.spec.ts      no I/O
//   integration *.int-spec.ts  real Postgres and Redis
//   e2e         *.e2e-spec.ts  the built services as processes, driven through the Appwrite SDKs
//   faults      *.fault-spec.ts  replicas behind HAProxy under load while processes, Redis or Postgres fail
// Where each lives (README "Test it"; scripts/test-placement.spec.ts fails on a test out of place):
//   unit         beside the code it tests (apps/<app>/src, libs/<lib>/src, scripts, bench, test/deploy, ...)
//   integration  an app's in apps/<app>/test/ (helpers beside them); a lib's own beside its code in libs/<lib>/src
//   e2e          cross-service in test/e2e/; one app's built process in apps/<app>/test/; the bench smoke in bench/
//   faults       test/faults/
const { readdirSync } = require('node:fs');

const libs = readdirSync(`${__dirname}/libs`);
const moduleNameMapper = Object.fromEntries(libs.map((l) => [`^@twostep/${l}$`, `<rootDir>/libs/${l}/src/index.ts`]));

const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
  // ESM-only dependencies (otplib's base32 plugin uses @scure/base) compiled to CommonJS for Jest;
  // Node >= 20.19 loads them natively at run time (require(esm)).
  '/node_modules/@scure/base/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  transformIgnorePatterns: ['/node_modules/(?!@scure/base/)'],
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/bench/peer/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

// tests on Redis and Postgres carry a run id in every key prefix and database name; the run deletes what is left
const withRunSweep = {
  globalSetup: '<rootDir>/scripts/lib/jest-global-setup.js',
  globalTeardown: '<rootDir>/scripts/lib/jest-global-teardown.js',
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,bench,test}/**/*.spec.ts'] },
    {
      ...common,
      ...withRunSweep,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'],
      slowTestThreshold: 20,
    },
    {
      ...common,
      ...withRunSweep,
      displayName: 'e2e',
      testMatch: ['<rootDir>/{apps,libs,test,bench}/**/*.e2e-spec.ts'],
      // every response the suites receive is checked against the OpenAPI description (libs/contracts/src/http)
      setupFilesAfterEnv: ['<rootDir>/test/e2e/support/response-validation.setup.ts'],
      slowTestThreshold: 60,
    },
    // `npm run test:faults` only: replicas, HAProxy and injected faults (test/faults)
    { ...common, ...withRunSweep, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'], slowTestThreshold: 300 },
  ],
};
