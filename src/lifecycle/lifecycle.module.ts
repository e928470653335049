import { Module } from '@nestjs/common';
import { LifecycleController } from './lifecycle.controller';
import { LifecycleScheduler } from './lifecycle-scheduler';
import { LifecycleService } from './lifecycle.service';

/** Bucket lifecycle: its configuration (Get/Put/DeleteBucketLifecycle...) and the background passes that apply it. */
@Module({ controllers: [LifecycleController], providers: [LifecycleService, LifecycleScheduler] })
export class LifecycleModule {}
