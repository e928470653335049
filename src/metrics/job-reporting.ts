import { Counter, type Registry } from 'prom-client';
import { JOB_OUTCOMES, type JobLogger, type JobReporting } from '../jobs/background-job';

export type BackgroundJobsCounter = Counter<'job' | 'outcome'>;

/** `s3_background_jobs_total{job,outcome}`, registered in `registry` (MetricsService's). */
export function backgroundJobsCounter(registry: Registry): BackgroundJobsCounter {
  return new Counter({
    name: 's3_background_jobs_total',
    help: 'Runs of the background jobs (abandoned-upload sweeps, the AIS cluster map refresh), by job and outcome (ok or failed).',
    labelNames: ['job', 'outcome'] as const,
    registers: [registry],
  });
}

/**
 * The stores' background jobs reported to `counter` and to `logger`. Each job's series start at 0 when it is
 * made, so a rate over them exists before its first run. Job names are fixed in the code, so the label stays
 * bounded. With WORKERS > 1 every worker runs its own jobs and the primary sums the counter over them.
 */
export function jobReporting(counter: BackgroundJobsCounter, logger: JobLogger): JobReporting {
  return {
    logger,
    registered: (job) => {
      for (const outcome of JOB_OUTCOMES) counter.inc({ job, outcome }, 0);
    },
    ran: (job, outcome) => counter.inc({ job, outcome }),
  };
}
