import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/configuration';
import { AIS_CLIENT, AisClient } from './ais-client';
import { EmbeddedStore } from './embedded/embedded-store';

async function createAisClient(config: ConfigService<AppConfig, true>): Promise<AisClient> {
  const store = new EmbeddedStore({
    dataDir: config.get('dataDir', { infer: true }),
    inlineMaxBytes: config.get('inlineMaxBytes', { infer: true }),
    fsync: config.get('fsync', { infer: true }),
    abandonedUploadMs: config.get('abandonedUploadHours', { infer: true }) * 3600 * 1000,
  });
  await store.open();
  return store;
}

/** Provides the one storage seam, AIS_CLIENT, with the backend chosen by STORE. */
@Global()
@Module({
  providers: [{ provide: AIS_CLIENT, useFactory: createAisClient, inject: [ConfigService] }],
  exports: [AIS_CLIENT],
})
export class AisModule implements OnApplicationShutdown {
  constructor(@Inject(AIS_CLIENT) private readonly client: AisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
