// One Jest config, three layers (STYLE.md convention 11):
//   unit        *.spec.ts      no I/O
//   integration *.int-spec.ts  real Postgres and Redis
//   e2e         *.e2e-spec.ts  the built services as processes, driven through the Appwrite SDKs
//   faults      *.fault-spec.ts  replicas behind HAProxy under load while processes, Redis or Postgres fail
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
};

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  modulePathIgnorePatterns: ['<rootDir>/.*/dist/', '<rootDir>/bench/peer/'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,scripts,bench,test}/**/*.spec.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs}/**/*.int-spec.ts'], slowTestThreshold: 20 },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs,test,bench}/**/*.e2e-spec.ts'], slowTestThreshold: 60 },
    // `npm run test:faults` only: replicas, HAProxy and injected faults (test/faults)
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.fault-spec.ts'], slowTestThreshold: 300 },
  ],
};
