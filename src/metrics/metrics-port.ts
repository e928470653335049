import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { createServer, Server } from 'node:http';
import { OBJECT_STORE, ObjectStore } from '../ais/store';
import type { AppConfig } from '../config/configuration';
import { MetricsService } from './metrics.service';

/**
 * With METRICS_PORT set, `/metrics` is also served on that port, apart from S3 traffic (and, with S3 at the
 * root, without shadowing a bucket named `metrics`).
 */
@Injectable()
export class MetricsPort implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Metrics');
  private server?: Server;

  constructor(
    private readonly metrics: MetricsService,
    private readonly config: ConfigService<AppConfig, true>,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.get('metricsPort', { infer: true });
    if (port === 0) return;
    this.server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      this.store
        .status()
        .then((status) => this.metrics.render(status))
        .then((text) => res.writeHead(200, { 'content-type': this.metrics.registry.contentType }).end(text))
        .catch(() => res.writeHead(500).end());
    });
    const host = this.config.get('host', { infer: true });
    await new Promise<void>((resolve) => this.server?.listen(port, host, resolve));
    this.logger.log(`metrics on http://${host}:${port}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    await new Promise((resolve) => (this.server ? this.server.close(resolve) : resolve(undefined)));
  }
}
