import type { ObjectStore } from '../ais/store';
import { isS3Error } from '../s3/errors';
import type { MetricsService } from './metrics.service';

/** Calls that are not storage requests and are not timed. */
const UNTIMED = new Set<string | symbol>(['close', 'status']);

/**
 * Wraps the store (either backend) so that every call is counted and timed per backend and call name
 * (`ais_backend_requests_total`, `ais_backend_request_duration_seconds`), without the S3 modules knowing.
 */
export function instrumentStore(client: ObjectStore, backend: string, metrics: MetricsService): ObjectStore {
  const wrapped = new Map<string | symbol, unknown>();
  return new Proxy(client, {
    get(target, name, receiver) {
      const member: unknown = Reflect.get(target, name, receiver);
      if (typeof member !== 'function') return member;
      let wrapper = wrapped.get(name);
      if (wrapper === undefined) {
        // Every function member of the store interface returns a promise.
        const call = member as (...args: unknown[]) => Promise<unknown>;
        wrapper = UNTIMED.has(name) ? call.bind(target) : timed(target, call, backend, String(name), metrics);
        wrapped.set(name, wrapper);
      }
      return wrapper;
    },
  });
}

function timed(target: ObjectStore, member: (...args: unknown[]) => Promise<unknown>, backend: string, call: string, metrics: MetricsService) {
  // One labels object per call name, made once: prom-client's startTimer() would merge labels on every call.
  const labels = { backend, call };
  return async (...args: unknown[]): Promise<unknown> => {
    const started = performance.now();
    try {
      const result = await member.apply(target, args);
      metrics.backendRequests.inc({ backend, call, status: 'ok' });
      return result;
    } catch (err) {
      metrics.backendRequests.inc({ backend, call, status: isS3Error(err) ? err.code : 'InternalError' });
      throw err;
    } finally {
      metrics.backendDuration.observe(labels, (performance.now() - started) / 1000);
    }
  };
}
