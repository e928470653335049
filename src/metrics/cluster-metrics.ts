import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * With WORKERS > 1 every worker counts only the requests it served, so a scrape answered from one worker's
 * registry would make counters jump between workers. Instead the worker that gets the scrape asks the
 * primary, which gathers every worker's registry over the cluster IPC channel (prom-client's
 * AggregatorRegistry: counters and histograms summed, each metric's own aggregator otherwise) and answers
 * with the sum.
 */
const SCRAPE_REQUEST = 'ais-s3:scrape';
const SCRAPE_ANSWER = 'ais-s3:scrape-answer';
const SCRAPE_TIMEOUT_MS = 5000;

interface ScrapeMessage {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

function isScrapeMessage(message: unknown, type: string): message is ScrapeMessage {
  return typeof message === 'object' && message !== null && (message as ScrapeMessage).type === type;
}

/** In the primary: answers workers' scrape requests with every worker's metrics aggregated. */
export function serveClusterScrapes(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: unknown) => {
    if (!isScrapeMessage(message, SCRAPE_REQUEST)) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: SCRAPE_ANSWER, id: message.id, text }),
      (err: Error) => worker.send({ type: SCRAPE_ANSWER, id: message.id, error: err.message }),
    );
  });
}

/** Whether this process is one of several workers (a scrape must then go through the primary). */
export function isClusterWorker(): boolean {
  return cluster.isWorker && typeof process.send === 'function';
}

/** In a worker: offers `registry` to the primary's aggregation (prom-client answers its requests). */
export function joinClusterMetrics(registry: Registry): void {
  AggregatorRegistry.setRegistries([registry]);
  // Constructing one registers prom-client's worker-side listener for the primary's requests.
  new AggregatorRegistry();
}

let lastId = 0;

/** In a worker: the aggregated metrics text of all workers, from the primary. */
export function scrapeThroughPrimary(): Promise<string> {
  const id = ++lastId;
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    const onMessage = (message: unknown): void => {
      if (!isScrapeMessage(message, SCRAPE_ANSWER) || message.id !== id) return;
      done();
      if (message.error !== undefined) reject(new Error(message.error));
      else resolve(message.text ?? '');
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`the primary did not answer a scrape within ${SCRAPE_TIMEOUT_MS} ms`));
    }, SCRAPE_TIMEOUT_MS);
    process.on('message', onMessage);
    process.send!({ type: SCRAPE_REQUEST, id });
  });
}
