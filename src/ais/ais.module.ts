import { Global, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/configuration';
import { AIS_CLIENT, AisClient } from './ais-client';
import { EmbeddedStore } from './embedded/embedded-store';
import { AisHttpClient } from './http/ais-http-client';
import { instrumentAisClient } from '../metrics/instrumented-client';
import { MetricsService } from '../metrics/metrics.service';

async function createAisClient(config: ConfigService<AppConfig, true>, metrics: MetricsService): Promise<AisClient> {
  if (config.get('store', { infer: true }) === 'ais') {
    const cluster = new AisHttpClient(
      {
        endpoint: config.get('aisEndpoint', { infer: true }),
        timeoutMs: config.get('aisTimeoutMs', { infer: true }),
        retries: config.get('aisRetries', { infer: true }),
      },
      { abandonedUploadMs: config.get('abandonedUploadHours', { infer: true }) * 3600 * 1000 },
    );
    return instrumentAisClient(cluster, 'ais', metrics);
  }
  const store = new EmbeddedStore({
    dataDir: config.get('dataDir', { infer: true }),
    inlineMaxBytes: config.get('inlineMaxBytes', { infer: true }),
    fsync: config.get('fsync', { infer: true }),
    abandonedUploadMs: config.get('abandonedUploadHours', { infer: true }) * 3600 * 1000,
    minFreeBytes: config.get('minFreeDiskMb', { infer: true }) * 1024 * 1024,
  });
  await store.open();
  return instrumentAisClient(store, 'embedded', metrics);
}

/** Provides the one storage seam, AIS_CLIENT, with the backend chosen by STORE. */
@Global()
@Module({
  providers: [{ provide: AIS_CLIENT, useFactory: createAisClient, inject: [ConfigService, MetricsService] }],
  exports: [AIS_CLIENT],
})
export class AisModule implements OnApplicationShutdown {
  constructor(@Inject(AIS_CLIENT) private readonly client: AisClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
