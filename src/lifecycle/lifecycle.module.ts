import { Global, Module } from '@nestjs/common';
import { LifecycleExpiry } from './lifecycle-expiry';
import { LifecycleController } from './lifecycle.controller';
import { LifecycleScheduler } from './lifecycle-scheduler';
import { LifecycleService } from './lifecycle.service';

/**
 * Bucket lifecycle: its configuration (Get/Put/DeleteBucketLifecycle...), the background passes that apply it, and
 * the `x-amz-expiration` header object operations answer (LifecycleExpiry, for every module).
 */
@Global()
@Module({ controllers: [LifecycleController], providers: [LifecycleService, LifecycleScheduler, LifecycleExpiry], exports: [LifecycleExpiry] })
export class LifecycleModule {}
