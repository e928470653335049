import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyAdapter } from '@nestjs/platform-fastify';
import { ConfigService } from '@nestjs/config';
import type { Server } from 'node:http';
import type { AppConfig } from '../config/configuration';

/**
 * Graceful shutdown for rolling updates: on SIGTERM readiness turns false first, then, after SHUTDOWN_DELAY
 * (time for the load balancer to stop sending), the server stops accepting and in-flight requests finish,
 * bounded by SHUTDOWN_GRACE; only then do modules close the store. NestJS would otherwise close modules
 * before the HTTP server and pull the store from under requests still streaming. Requests still running when
 * the grace is over have their connections closed, so the process exits in bounded time.
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private stopping = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost<FastifyAdapter>,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    this.stopping = true;
    const delay = this.config.get('shutdownDelayMs', { infer: true });
    const grace = this.config.get('shutdownGraceMs', { infer: true });
    this.logger.log(`${signal ?? 'shutdown'}: not ready; draining in ${delay} ms, in-flight requests get ${grace} ms`);
    await sleep(delay);
    const adapter = this.adapterHost.httpAdapter;
    const closed = adapter.close();
    const finished = await Promise.race([closed.then(() => true), sleep(grace).then(() => false)]);
    if (!finished) {
      this.logger.warn(`requests still running after ${grace} ms; closing their connections`);
      // Fastify's close waits for every open request: cut what is left, or the process would never exit.
      adapter.getHttpServer<Server>().closeAllConnections();
      await closed;
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
