import 'reflect-metadata';
import { loadConfig } from './config/configuration';
import { createGateway } from './gateway';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createGateway(config);
  await app.listen(config.port, config.host);
  app.getHttpAdapter().getInstance().log.info({ url: await app.getUrl(), store: config.store }, 'ais-s3 gateway listening');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
