import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsPort } from './metrics-port';
import { MetricsService } from './metrics.service';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService, MetricsPort], exports: [MetricsService] })
export class MetricsModule {}
