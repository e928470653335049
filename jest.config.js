// Unit tests sit beside their code (src/ and the soak's judgement in soak/, *.spec.ts); end-to-end tests in test/ (*.e2e.ts).
// The end-to-end suite runs twice, once per backend: `e2e-embedded` on the embedded store and `e2e-ais` on
// a real AIS cluster (1 proxy + 1 target on loopback, started by scripts/ais-dev-cluster.sh in globalSetup).
// Files named *.embedded.e2e.ts or *.ais.e2e.ts test one backend's own behaviour and run only in its pass.
const { spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const transform = { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: 'tsconfig.json' }] };
const common = { testEnvironment: 'node', transform };

/** Why the AIS pass cannot run here, or undefined when it can (aisnode built, or Go to build it). */
function aisPassUnavailable() {
  if (process.env.E2E_AIS === 'off') return 'E2E_AIS=off';
  if (existsSync(join(__dirname, '.tmp/ais/bin/v1.5.0/aisnode'))) return undefined;
  if (spawnSync('go', ['version']).status === 0) return undefined;
  return 'no Go toolchain to build aisnode (install Go, or run `bash scripts/ais-dev-cluster.sh install` on a machine that has it)';
}

const projects = [
  { ...common, displayName: 'unit', roots: ['<rootDir>/src', '<rootDir>/soak'], testMatch: ['**/*.spec.ts'] },
  {
    ...common,
    displayName: 'e2e-embedded',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.e2e.ts'],
    testPathIgnorePatterns: ['\\.ais\\.e2e\\.ts$'],
    globals: { E2E_STORE: 'embedded' },
  },
];

const unavailable = aisPassUnavailable();
if (unavailable === undefined) {
  projects.push({
    ...common,
    displayName: 'e2e-ais',
    roots: ['<rootDir>/test'],
    testMatch: ['**/*.e2e.ts'],
    // The Helm chart checks do not involve a store.
    testPathIgnorePatterns: ['\\.embedded\\.e2e\\.ts$', 'helm-chart\\.e2e\\.ts$'],
    globals: { E2E_STORE: 'ais' },
    globalSetup: '<rootDir>/test/support/ais-global-setup.ts',
    globalTeardown: '<rootDir>/test/support/ais-global-teardown.ts',
  });
} else {
  process.stderr.write(`\n[jest] the AIS pass of the end-to-end suite is not run: ${unavailable}.\n\n`);
}

// Global options (inside a project they would be ignored). One file at a time: every fresh gateway of the AIS
// pass empties the one shared cluster, and the e2e files each start processes of their own.
module.exports = { projects, testTimeout: 60000, maxWorkers: 1 };
