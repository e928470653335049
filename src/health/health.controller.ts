import { Controller, Get, Inject, UseFilters } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { OBJECT_STORE, ObjectStore } from '../ais/store';
import { HealthExceptionFilter } from './health-exception.filter';
import { ShutdownState } from './shutdown-state';

/** Kubernetes probes: cheap, outside the S3 prefix, no S3 auth. */
@Controller('health')
@UseFilters(HealthExceptionFilter)
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly shutdown: ShutdownState,
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
  ) {}

  /** The process serves. */
  @Get('live')
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** The backend can serve, and the process is not shutting down. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.lifecycle(), () => this.backend()]);
  }

  private lifecycle() {
    const indicator = this.indicators.check('lifecycle');
    return this.shutdown.isStopping ? indicator.down({ reason: 'shutting down' }) : indicator.up();
  }

  private async backend() {
    const status = await this.store.status();
    const indicator = this.indicators.check(status.backend);
    return status.problem === undefined ? indicator.up() : indicator.down({ reason: status.problem });
  }
}
