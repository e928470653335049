import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackendStatus } from '../ais/store';
import { isClusterWorker, joinClusterMetrics, scrapeThroughPrimary } from './cluster-metrics';
import { integrityFaultsCounter } from './integrity-faults';
import { backgroundJobsCounter } from './job-reporting';

/** Latency buckets from 1 ms to 60 s: small GETs sit at the bottom, multi-GiB transfers at the top. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/**
 * The gateway's Prometheus metrics. Label values come from fixed sets only (operation names, HTTP status
 * codes, S3 error codes, backend call names), never from bucket names, keys or anything else a client picks,
 * so the number of series stays bounded.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly requests = new Counter({
    name: 's3_requests_total',
    help: 'S3 requests answered, by operation and HTTP status.',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });

  readonly duration = new Histogram({
    name: 's3_request_duration_seconds',
    help: 'Time from the request arriving to the last byte of the answer, by operation.',
    labelNames: ['operation'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly receivedBytes = new Counter({
    name: 's3_received_bytes_total',
    help: 'Request body bytes declared by Content-Length, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly sentBytes = new Counter({
    name: 's3_sent_bytes_total',
    help: 'Response body bytes declared by Content-Length, by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly inFlight = new Gauge({
    name: 's3_requests_in_flight',
    help: 'S3 requests being served now.',
    registers: [this.registry],
  });

  readonly errors = new Counter({
    name: 's3_errors_total',
    help: 'S3 error answers, by operation and S3 error code.',
    labelNames: ['operation', 'code'] as const,
    registers: [this.registry],
  });

  readonly accessDenied = new Counter({
    name: 's3_access_denied_total',
    help: 'Requests the access check refused (verify mode), by operation and reason (anonymous, not_owner, source_not_owner, expected_owner, expected_source_owner).',
    labelNames: ['operation', 'reason'] as const,
    registers: [this.registry],
  });

  readonly backendRequests = new Counter({
    name: 'ais_backend_requests_total',
    help: 'Calls to the storage backend, by backend, call and outcome (ok or an S3 error code).',
    labelNames: ['backend', 'call', 'status'] as const,
    registers: [this.registry],
  });

  readonly backendDuration = new Histogram({
    name: 'ais_backend_request_duration_seconds',
    help: 'Duration of calls to the storage backend (for reads: until the body is ready to stream).',
    labelNames: ['backend', 'call'] as const,
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });

  readonly backgroundJobs = backgroundJobsCounter(this.registry);

  readonly integrityFaults = integrityFaultsCounter(this.registry);

  readonly lifecycleActions = new Counter({
    name: 's3_lifecycle_actions_total',
    help: 'What bucket lifecycle passes did, by action (expire_current, expire_noncurrent, remove_expired_marker, abort_upload).',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly lifecycleLastRun = new Gauge({
    name: 's3_lifecycle_last_run_timestamp_seconds',
    help: 'When the last lifecycle pass ended (Unix time); with several workers the latest.',
    registers: [this.registry],
    aggregator: 'max',
  });

  /** HTTPS only (TLS_CERT_FILE): what an alert on a certificate about to lapse, or a rotation that did not take, watches. */
  readonly tlsCertificateExpiry = new Gauge({
    name: 's3_tls_certificate_expiry_timestamp_seconds',
    help: 'When the TLS certificate being served expires (Unix time); with several workers the earliest.',
    registers: [this.registry],
    aggregator: 'min',
  });
  readonly tlsReloads = new Counter({
    name: 's3_tls_reloads_total',
    help: 'Changes of TLS_CERT_FILE/TLS_KEY_FILE seen, by outcome (ok: now served; failed: unusable, the previous pair stays).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  // Gauges of the shared store, not of a worker: left out of the cluster sum, taken fresh from the scraped worker.
  private readonly storeObjects = new Gauge({
    name: 'embedded_store_objects',
    help: 'Objects in the embedded store.',
    registers: [this.registry],
    aggregator: 'omit',
  });
  private readonly storeFreeBytes = new Gauge({
    name: 'embedded_store_free_bytes',
    help: 'Free disk space under DATA_DIR.',
    registers: [this.registry],
    aggregator: 'omit',
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    if (isClusterWorker()) joinClusterMetrics(this.registry);
  }

  /** The scrape's Prometheus text: this process's metrics, or with several workers the sum over all of them. */
  async render(status: BackendStatus): Promise<string> {
    this.observeBackend(status);
    if (!isClusterWorker()) return this.registry.metrics();
    const [all, objects, freeBytes] = await Promise.all([
      scrapeThroughPrimary(),
      this.registry.getSingleMetricAsString('embedded_store_objects'),
      this.registry.getSingleMetricAsString('embedded_store_free_bytes'),
    ]);
    return `${all.trimEnd()}\n${objects}\n${freeBytes}\n`;
  }

  /** Sets the store gauges from the backend's own report (called at scrape time). */
  observeBackend(status: BackendStatus): void {
    if (status.objects !== undefined) this.storeObjects.set(status.objects);
    if (status.freeBytes !== undefined) this.storeFreeBytes.set(status.freeBytes);
  }
}
