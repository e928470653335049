/**
 * lmdb's failed commits, made safe. When LMDB cannot commit (a full disk), lmdb rejects the transaction with
 * `Commit failed (see commitError for details)` and carries the cause as a second promise, `commitError`,
 * rejected too; so are the promises of the puts and removes made inside the transaction (which callers drop,
 * `void`) and a promise lmdb keeps to itself. Unhandled, any of those rejections ended the process (Node's
 * default) the first time the disk was full. The store's own writes go through committed(), and
 * surviveFailedCommits() handles the rest.
 */

const ignore = (): void => undefined;

/** A rejection reason that is lmdb's failed commit. */
export function isFailedCommit(reason: unknown): boolean {
  return reason instanceof Error && (reason as { commitError?: unknown }).commitError instanceof Promise;
}

let surviving = false;

/**
 * Installs (once per process) the handler that lets a failed LMDB commit's stray rejections pass: the writes
 * that failed report it to their callers (committed()). Any other unhandled rejection is thrown on, which ends
 * the process as Node's default does.
 */
export function surviveFailedCommits(): void {
  if (surviving) return;
  surviving = true;
  process.on('unhandledRejection', (reason) => {
    if (!isFailedCommit(reason)) throw reason;
    (reason as { commitError: Promise<unknown> }).commitError.catch(ignore);
  });
}

/** A write's failure, with lmdb's commitError handled; rethrown as it was. */
function settleCommitError(err: unknown): never {
  const cause = (err as { commitError?: unknown } | undefined)?.commitError;
  if (cause instanceof Promise) cause.catch(ignore);
  throw err;
}

/** An LMDB write (a transaction, or a put or remove outside one) whose failure the caller handles. */
export function committed<T>(write: Promise<T>): Promise<T> {
  return write.catch(settleCommitError);
}

/** The errno code (`ENOSPC`, ...) of a failed write: its own, or that of lmdb's commitError, waited for at most 1 s. */
export async function writeErrorCode(err: unknown): Promise<string | number | undefined> {
  const own = (err as { code?: string | number } | undefined)?.code;
  if (own !== undefined) return own;
  const cause = (err as { commitError?: unknown } | undefined)?.commitError;
  if (!(cause instanceof Promise)) return undefined;
  const waited = new Promise<undefined>((done) => setTimeout(() => done(undefined), 1000).unref());
  const reason = await Promise.race([cause.then(ignore, (failure: unknown) => failure), waited]);
  return (reason as { code?: string | number } | undefined)?.code;
}
