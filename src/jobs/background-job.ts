/** How a run of a background job ended. A fixed set: it is a metric label. */
export type JobOutcome = 'ok' | 'failed';

export const JOB_OUTCOMES: readonly JobOutcome[] = ['ok', 'failed'];

/** Where a job's failures and recoveries are written; NestJS's Logger fits, and so does a test's recorder. */
export interface JobLogger {
  log(message: string): void;
  warn(message: string): void;
}

/**
 * What the stores are given to report their background work with, so that they need neither NestJS nor
 * prom-client: a logger, and a count of every run's outcome (src/metrics/job-reporting.ts builds it).
 */
export interface JobReporting {
  logger: JobLogger;
  /** Called once per job when it is made, before any run (a counter shows its series at 0 from then on). */
  registered(job: string): void;
  /** Called once per finished run. */
  ran(job: string, outcome: JobOutcome): void;
}

/** Reports nothing: for stores made without reporting (unit tests). */
export const UNREPORTED: JobReporting = { logger: { log: () => undefined, warn: () => undefined }, registered: () => undefined, ran: () => undefined };

/**
 * While a job keeps failing, one more warning at most this often: the cluster map is read every 2 s, and a
 * line for each failed read while AIS is down would flood the log.
 */
export const FAILURE_LOG_INTERVAL_MS = 60_000;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * One named piece of periodic background work (a store's sweep, the cluster map refresh). Every `intervalMs`
 * a run starts unless the previous one is still going (that tick is skipped: runs never overlap); the timer
 * does not keep the process alive; `stop()` ends the schedule and waits for a run in progress.
 *
 * Every run is reported as `ok` or `failed`. Failures are logged at warn, rate-limited: the first failure
 * after a success (or the start), then while the job keeps failing at most one line per
 * FAILURE_LOG_INTERVAL_MS with the number of failures since, and one info line when it works again.
 */
export class BackgroundJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** Failed runs in a row, and when the last warning about them was written. */
  private failures = 0;
  private warnedAt = 0;

  constructor(
    readonly name: string,
    private readonly intervalMs: number,
    private readonly work: () => Promise<unknown>,
    private readonly reporting: JobReporting = UNREPORTED,
  ) {
    reporting.registered(name);
  }

  /** Starts the schedule (the first run after one interval, or with `runNow` at once too). */
  start(options: { runNow?: boolean } = {}): this {
    if (this.stopped || this.timer !== undefined) return this;
    this.timer = setInterval(() => void this.run(), this.intervalMs).unref();
    if (options.runNow) void this.run();
    return this;
  }

  /**
   * Runs the job now, or joins the run in progress. Never rejects: the outcome is reported, not thrown.
   * After stop() it does nothing.
   */
  run(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.running ??= this.runOnce().finally(() => (this.running = undefined));
    return this.running;
  }

  /** Ends the schedule; resolves once a run in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async runOnce(): Promise<void> {
    let outcome: JobOutcome = 'ok';
    try {
      await this.work();
    } catch (err) {
      outcome = 'failed';
      this.failed(err);
    }
    if (outcome === 'ok' && this.failures > 0) {
      this.reporting.logger.log(`background job ${this.name} works again after ${this.failures} failed run(s)`);
      this.failures = 0;
    }
    this.reporting.ran(this.name, outcome);
  }

  private failed(err: unknown): void {
    this.failures += 1;
    const now = Date.now();
    if (this.failures === 1) {
      this.reporting.logger.warn(`background job ${this.name} failed: ${describe(err)}`);
    } else if (now - this.warnedAt >= FAILURE_LOG_INTERVAL_MS) {
      this.reporting.logger.warn(`background job ${this.name} still failing (${this.failures} runs in a row): ${describe(err)}`);
    } else {
      return;
    }
    this.warnedAt = now;
  }
}
