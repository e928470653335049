import { Module } from '@nestjs/common';
import { CorsController } from './cors.controller';
import { CorsPolicy } from './cors-policy';
import { CorsService } from './cors.service';

/** Bucket CORS: its configuration (Get/Put/DeleteBucketCors), preflights, and the CORS headers of actual requests. */
@Module({ controllers: [CorsController], providers: [CorsService, CorsPolicy], exports: [CorsPolicy] })
export class CorsModule {}
