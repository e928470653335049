import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { AppConfig } from '../config/configuration';
import { OBJECT_STORE, ObjectStore } from './store';
import { EmbeddedStore } from './embedded/embedded-store';
import { ClusterStore } from './cluster/cluster-store';
import { instrumentStore } from '../metrics/instrumented-store';
import { integrityFaultReporting } from '../metrics/integrity-faults';
import { jobReporting } from '../metrics/job-reporting';
import { MetricsService } from '../metrics/metrics.service';

async function createStore(config: ConfigService<AppConfig, true>, metrics: MetricsService): Promise<ObjectStore> {
  const jobs = jobReporting(metrics.backgroundJobs, new Logger('BackgroundJobs'));
  const sweepIntervalMs = config.get('sweepIntervalMs', { infer: true });
  const abandonedUploadMs = config.get('abandonedUploadHours', { infer: true }) * 3600 * 1000;
  if (config.get('store', { infer: true }) === 'ais') {
    const cluster = new ClusterStore(
      {
        endpoint: config.get('aisEndpoint', { infer: true }),
        timeoutMs: config.get('aisTimeoutMs', { infer: true }),
        retries: config.get('aisRetries', { infer: true }),
      },
      { abandonedUploadMs },
      { sweepIntervalMs, jobs },
      { singleWriter: config.get('aisSingleWriter', { infer: true }) },
      { sessionMs: config.get('aisListSessionMs', { infer: true }) },
    );
    return instrumentStore(cluster, 'ais', metrics);
  }
  const store = new EmbeddedStore({
    dataDir: config.get('dataDir', { infer: true }),
    inlineMaxBytes: config.get('inlineMaxBytes', { infer: true }),
    fsync: config.get('fsync', { infer: true }),
    abandonedUploadMs,
    minFreeBytes: config.get('minFreeDiskMb', { infer: true }) * 1024 * 1024,
    sweepIntervalMs,
    jobs,
    integrityFaults: integrityFaultReporting(metrics.integrityFaults, new Logger('EmbeddedStore')),
  });
  await store.open();
  return instrumentStore(store, 'embedded', metrics);
}

/** Provides the one storage seam, OBJECT_STORE, with the backend chosen by STORE. */
@Global()
@Module({
  providers: [{ provide: OBJECT_STORE, useFactory: createStore, inject: [ConfigService, MetricsService] }],
  exports: [OBJECT_STORE],
})
export class AisModule implements OnApplicationShutdown {
  constructor(@Inject(OBJECT_STORE) private readonly client: ObjectStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
