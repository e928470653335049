import { devCluster } from './ais-global-setup';

/** jest globalTeardown of the e2e-ais project: stops the dev cluster and deletes its data. */
export default async function stopAisForTests(): Promise<void> {
  await devCluster('stop');
}
