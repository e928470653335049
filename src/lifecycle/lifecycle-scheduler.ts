import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { OBJECT_STORE, type ObjectStore } from '../ais/store';
import type { AppConfig } from '../config/configuration';
import { BackgroundJob } from '../jobs/background-job';
import { jobReporting } from '../metrics/job-reporting';
import { MetricsService } from '../metrics/metrics.service';
import { LifecycleWorker, type PassReport } from './lifecycle-worker';

/**
 * Runs a lifecycle pass every LIFECYCLE_INTERVAL_MS (0: never) in every gateway process; passes are safe to run
 * side by side (lifecycle-worker.ts). Each pass is logged, its actions counted in s3_lifecycle_actions_total, and
 * its end time kept in s3_lifecycle_last_run_timestamp_seconds. The pass takes the time as an argument
 * (LifecycleWorker.runPass): the one place tests move it, and LIFECYCLE_CLOCK_OFFSET_DAYS moves it for a running gateway.
 */
@Injectable()
export class LifecycleScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Lifecycle');
  private readonly worker: LifecycleWorker;
  private job?: BackgroundJob;

  constructor(
    @Inject(OBJECT_STORE) store: ObjectStore,
    private readonly metrics: MetricsService,
    private readonly config: ConfigService<AppConfig, true>,
  ) {
    this.worker = new LifecycleWorker(store, {
      // Tag filters: the version's tags, read only for buckets whose enabled rules filter on tags.
      tagsOf: async (bucket, key, versionId) =>
        Object.fromEntries((await store.getObjectTagging(bucket, key, versionId)).tags.map((tag) => [tag.key, tag.value])),
      acted: (action) => metrics.lifecycleActions.inc({ action }),
      warn: (message) => this.logger.warn(message),
    });
  }

  onApplicationBootstrap(): void {
    const intervalMs = this.config.get('lifecycleIntervalMs', { infer: true });
    if (intervalMs === 0) return;
    this.job = new BackgroundJob('lifecycle', intervalMs, () => this.runPass(), jobReporting(this.metrics.backgroundJobs, this.logger)).start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.job?.stop();
  }

  async runPass(): Promise<PassReport> {
    const started = Date.now();
    const offsetDays = this.config.get('lifecycleClockOffsetDays', { infer: true });
    const report = await this.worker.runPass(new Date(started + offsetDays * 86_400_000));
    this.metrics.lifecycleLastRun.set(Date.now() / 1000);
    const acted = Object.entries(report.actions).filter(([, n]) => n > 0);
    if (acted.length > 0 || report.failed > 0 || report.budgetReached) {
      const summary = acted.map(([action, n]) => `${action} ${n}`).join(', ') || 'no actions';
      this.logger.log(
        `pass over ${report.buckets} bucket(s) with rules in ${Date.now() - started} ms: ${summary}${report.failed > 0 ? `, ${report.failed} failed` : ''}${report.budgetReached ? ' (stopped at the per-pass budget)' : ''}`,
      );
    }
    return report;
  }
}
