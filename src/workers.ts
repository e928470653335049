import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { serveClusterScrapes } from './metrics/cluster-metrics';

/**
 * WORKERS > 1: this process is a node:cluster primary that serves nothing itself. It starts the workers,
 * which all listen on the one PORT and accept connections from it themselves (SCHED_NONE: the kernel hands
 * each connection to whichever worker accepts first; PORT=0 gives them all the same ephemeral port). Not
 * node's default round-robin, where the primary accepts and passes each connection to a worker: a connection
 * passed to a worker that dies before taking it stays open in the primary, unanswered, until the client
 * gives up (node never closes or redistributes it); with SCHED_NONE it waits in the listening socket's queue
 * for the surviving workers. A worker that dies while serving is replaced;
 * one that dies before it ever listened is a start-up failure, so everything stops with status 1.
 *
 * SIGTERM / SIGINT are passed on to every worker, each of which drains as a single gateway does (readiness
 * fails, SHUTDOWN_DELAY_MS, in-flight requests finish); the primary exits once they all have: 0 when every
 * worker drained cleanly. A worker that receives the signal twice (a terminal's Ctrl-C reaches the whole
 * process group) ignores the second. If the primary itself is killed, workers exit (node:cluster).
 * The primary also sums the workers' metrics for whichever worker is scraped (metrics/cluster-metrics.ts).
 */
export function superviseWorkers(count: number, logger: Logger): void {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const live = new Set<Worker>();
  const listening = new WeakSet<Worker>();
  let stopping = false;
  let clean = true;

  const start = (): void => {
    const worker = cluster.fork();
    live.add(worker);
    worker.once('listening', () => listening.add(worker));
  };

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, workers: live.size }, 'stopping workers');
    for (const worker of live) worker.process.kill(signal);
  };

  cluster.on('exit', (worker, code, signal) => {
    live.delete(worker);
    if (!stopping) {
      if (listening.has(worker)) {
        logger.error({ pid: worker.process.pid, code, signal }, 'worker exited; starting another');
        start();
        return;
      }
      logger.error({ pid: worker.process.pid, code, signal }, 'worker failed to start; stopping');
      clean = false;
      stop('SIGTERM');
    } else if (code !== 0) {
      clean = false;
    }
    if (live.size === 0) process.exit(clean ? 0 : 1);
  });

  serveClusterScrapes();
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  for (let i = 0; i < count; i++) start();
  logger.info({ workers: count }, 'ais-s3 primary started its workers');
}
