import { AggregatorRegistry, Registry } from 'prom-client';
import { backgroundJobsCounter, type BackgroundJobsCounter, jobReporting } from '../metrics/job-reporting';
import { BackgroundJob, FAILURE_LOG_INTERVAL_MS } from './background-job';

/** The log lines a job wrote, with their level. */
function recordingLogger() {
  const lines: string[] = [];
  return { lines, log: (message: string) => lines.push(`info ${message}`), warn: (message: string) => lines.push(`warn ${message}`) };
}

async function jobCounts(counter: BackgroundJobsCounter): Promise<Record<string, number>> {
  const metric = await counter.get();
  return Object.fromEntries(metric.values.map(({ labels, value }) => [`${labels.job}/${labels.outcome}`, value]));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('BackgroundJob', () => {
  // The gateway's counter (MetricsService registers the same one), in a registry of the test's own.
  let metrics: BackgroundJobsCounter;
  let logger: ReturnType<typeof recordingLogger>;
  beforeEach(() => {
    metrics = backgroundJobsCounter(new Registry());
    logger = recordingLogger();
  });

  it('shows its series at 0 once made, then counts every run of its schedule as ok', async () => {
    let runs = 0;
    const job = new BackgroundJob(
      'tick',
      20,
      () => {
        runs += 1;
        return Promise.resolve();
      },
      jobReporting(metrics, logger),
    );
    expect(await jobCounts(metrics)).toEqual({ 'tick/ok': 0, 'tick/failed': 0 });
    job.start();
    await sleep(150);
    await job.stop();
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(await jobCounts(metrics)).toEqual({ 'tick/ok': runs, 'tick/failed': 0 });
    expect(logger.lines).toEqual([]);
  });

  it('runs at once with runNow, and never two runs at a time: ticks and run() calls during a run join it', async () => {
    let active = 0;
    let mostActive = 0;
    let runs = 0;
    const job = new BackgroundJob(
      'slow',
      5,
      async () => {
        runs += 1;
        active += 1;
        mostActive = Math.max(mostActive, active);
        await sleep(60);
        active -= 1;
      },
      jobReporting(metrics, logger),
    ).start({ runNow: true });
    expect(runs).toBe(1);
    const joined = [job.run(), job.run()];
    expect(runs).toBe(1);
    await Promise.all(joined);
    await sleep(150);
    await job.stop();
    expect(mostActive).toBe(1);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(await jobCounts(metrics)).toEqual({ 'slow/ok': runs, 'slow/failed': 0 });
  });

  it('stops: the run in progress finishes before stop() resolves, and nothing runs after', async () => {
    let finished = 0;
    let started = 0;
    const job = new BackgroundJob(
      'stopping',
      10,
      async () => {
        started += 1;
        await sleep(50);
        finished += 1;
      },
      jobReporting(metrics, logger),
    ).start({ runNow: true });
    await job.stop();
    expect({ started, finished }).toEqual({ started: 1, finished: 1 });
    await job.run();
    job.start();
    await sleep(50);
    expect(started).toBe(1);
    expect(await jobCounts(metrics)).toEqual({ 'stopping/ok': 1, 'stopping/failed': 0 });
  });

  it('counts failures and logs them without flooding: the first, then at most one line a minute while they go on, and the recovery', async () => {
    jest.useFakeTimers();
    try {
      let failing = true;
      let attempt = 0;
      const job = new BackgroundJob(
        'flaky',
        2000,
        () => {
          attempt += 1;
          return failing ? Promise.reject(new Error(`refused ${attempt}`)) : Promise.resolve();
        },
        jobReporting(metrics, logger),
      ).start({ runNow: true });
      // One run at once, then one every 2 s.
      await jest.advanceTimersByTimeAsync(FAILURE_LOG_INTERVAL_MS - 1000);
      expect(logger.lines).toEqual(['warn background job flaky failed: refused 1']);
      await jest.advanceTimersByTimeAsync(1000);
      expect(logger.lines.slice(1)).toEqual(['warn background job flaky still failing (31 runs in a row): refused 31']);
      await jest.advanceTimersByTimeAsync(FAILURE_LOG_INTERVAL_MS - 2000);
      expect(logger.lines).toHaveLength(2);
      failing = false;
      await jest.advanceTimersByTimeAsync(2000);
      expect(logger.lines.slice(2)).toEqual(['info background job flaky works again after 60 failed run(s)']);
      // A failure after a success is news again.
      failing = true;
      await jest.advanceTimersByTimeAsync(2000);
      expect(logger.lines.slice(3)).toEqual(['warn background job flaky failed: refused 62']);
      await job.stop();
      expect(await jobCounts(metrics)).toEqual({ 'flaky/ok': 1, 'flaky/failed': 61 });
    } finally {
      jest.useRealTimers();
    }
  });

  it('reports a failure thrown before the work returns a promise like a rejected one', async () => {
    const throwing = new BackgroundJob(
      'throws',
      1000,
      () => {
        throw new Error('at once');
      },
      jobReporting(metrics, logger),
    );
    const rejecting = new BackgroundJob('rejects', 1000, () => Promise.reject(new Error('later')), jobReporting(metrics, logger));
    await throwing.run();
    await rejecting.run();
    await Promise.all([throwing.stop(), rejecting.stop()]);
    expect(logger.lines).toEqual(['warn background job throws failed: at once', 'warn background job rejects failed: later']);
    expect(await jobCounts(metrics)).toEqual({ 'throws/ok': 0, 'throws/failed': 1, 'rejects/ok': 0, 'rejects/failed': 1 });
  });

  it('is summed over workers: the primary aggregates s3_background_jobs_total as a sum, as prom-client does for WORKERS > 1', async () => {
    const workers = [new Registry(), new Registry()];
    const jobs = workers.map((worker) => new BackgroundJob('sweep', 1000, () => Promise.resolve(), jobReporting(backgroundJobsCounter(worker), logger)));
    await jobs[0].run();
    await jobs[0].run();
    await jobs[1].run();
    await Promise.all(jobs.map((job) => job.stop()));
    const summed = AggregatorRegistry.aggregate(await Promise.all(workers.map((worker) => worker.getMetricsAsJSON())));
    const metric = await summed.getSingleMetric('s3_background_jobs_total')!.get();
    expect(Object.fromEntries(metric.values.map(({ labels, value }) => [`${labels.job}/${labels.outcome}`, value]))).toEqual({
      'sweep/ok': 3,
      'sweep/failed': 0,
    });
  });
});
