// `npm run test:faults`: the fault tests (test/faults, *.faults.ts), apart from `npm test` and bounded to about
// ten minutes in all: kill -9 under a mixed write load, WORKERS=2 with a worker killed, and concurrent writes to
// the same keys. Like the e2e suite they run once per backend, with the e2e projects' settings (jest.config.js);
// files named *.embedded.faults.ts test the embedded store's own crash safety and run only in its pass, files named
// *.ais.faults.ts (AIS nodes killed) only in the AIS pass.
const e2e = require('./jest.config.js');

const faultsProject = (backend) => {
  const project = e2e.projects.find((candidate) => candidate.displayName === `e2e-${backend}`);
  if (project === undefined) return [];
  const other = backend === 'ais' ? 'embedded' : 'ais';
  return [{ ...project, displayName: `faults-${backend}`, testMatch: ['**/*.faults.ts'], testPathIgnorePatterns: [`\\.${other}\\.faults\\.ts$`] }];
};

module.exports = { ...e2e, projects: [...faultsProject('embedded'), ...faultsProject('ais')], testTimeout: 20 * 60_000 };
