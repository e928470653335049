import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { AccessModule } from './access/access.module';
import { CorsModule } from './cors/cors.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import { PolicyModule } from './access/policy/policy.module';
import { AisModule } from './ais/ais.module';
import { AuthModule } from './auth/auth.module';
import { HealthModule } from './health/health.module';
import { MetricsModule } from './metrics/metrics.module';
import { BucketsModule } from './buckets/buckets.module';
import type { AppConfig } from './config/configuration';
import { ObjectLockModule } from './object-lock/object-lock.module';
import { ObjectsModule } from './objects/objects.module';
import { PostObjectModule } from './post-object/post-object.module';
import { S3Module } from './s3/s3.module';
import { TaggingModule } from './tagging/tagging.module';
import { VersioningModule } from './versioning/versioning.module';

@Module({})
export class AppModule {
  /** The configuration is read and validated once, before the HTTP adapter exists (it shapes routing). */
  static withConfig(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [() => ({ ...config })] }),
        MetricsModule,
        AisModule,
        HealthModule,
        AccessModule,
        AuthModule,
        S3Module,
        BucketsModule,
        ObjectsModule,
        PostObjectModule,
        VersioningModule,
        CorsModule,
        LifecycleModule,
        PolicyModule,
        TaggingModule,
        ObjectLockModule,
      ],
    };
  }
}
