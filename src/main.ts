import 'reflect-metadata';
import cluster from 'node:cluster';
import { loadConfig } from './config/configuration';
import { createGateway } from './gateway';
import { createLogger } from './logger';
import { superviseWorkers } from './workers';

async function main(): Promise<void> {
  // Read (and validated) in the primary too, so a bad environment stops start-up before any worker runs.
  const config = loadConfig(process.env);
  if (config.workers > 1 && cluster.isPrimary) {
    superviseWorkers(config.workers, createLogger(config.logLevel));
    return;
  }
  const app = await createGateway(config);
  await app.listen(config.port, config.host);
  app
    .getHttpAdapter()
    .getInstance()
    .log.info({ url: await app.getUrl(), store: config.store }, 'ais-s3 gateway listening');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
