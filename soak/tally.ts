/** What the soak's clients did: successes and failures per operation, and the failures' messages with their counts. */

/** Distinct failure messages kept (a failure that repeats is counted, not listed again). */
const KEPT_FAILURES = 40;

export interface OperationCount {
  operation: string;
  ok: number;
  failed: number;
}

export class Tally {
  private readonly counts = new Map<string, OperationCount>();
  /** Distinct failures (operation and message) and how often each happened, for the summary. */
  readonly failures = new Map<string, number>();
  total = 0;
  errors = 0;

  private countOf(operation: string): OperationCount {
    let count = this.counts.get(operation);
    if (count === undefined) {
      count = { operation, ok: 0, failed: 0 };
      this.counts.set(operation, count);
    }
    return count;
  }

  ok(operation: string): void {
    this.countOf(operation).ok += 1;
    this.total += 1;
  }

  failed(operation: string, message: string): void {
    this.countOf(operation).failed += 1;
    this.total += 1;
    this.errors += 1;
    const failure = `${operation}: ${message}`;
    const seen = this.failures.get(failure);
    if (seen !== undefined || this.failures.size < KEPT_FAILURES) this.failures.set(failure, (seen ?? 0) + 1);
  }

  /** Runs one operation: it counts as failed when it throws (an unexpected S3 error, a wrong body). */
  async run(operation: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
      this.ok(operation);
    } catch (err) {
      const error = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
      const status = error.$metadata?.httpStatusCode;
      this.failed(operation, `${status === undefined ? '' : `${status} `}${error.name ?? 'Error'}: ${error.message ?? String(err)}`);
    }
  }

  byOperation(): OperationCount[] {
    return [...this.counts.values()].sort((a, b) => a.operation.localeCompare(b.operation));
  }
}
