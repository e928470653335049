import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { OBJECT_STORE, ObjectStore } from '../ais/store';
import { MetricsService } from './metrics.service';

/** `GET /metrics` in Prometheus text format; outside the S3 prefix and never behind S3 auth. */
@Controller()
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  @Get('metrics')
  async scrape(@Res() reply: FastifyReply): Promise<void> {
    const text = await this.metrics.render(await this.store.status());
    reply.header('content-type', this.metrics.registry.contentType).send(text);
  }
}
