import { All } from '@nestjs/common';
import type { S3Operation as Operation } from './routes';
import { S3_MOUNT } from './s3-router';

/** Marks a controller method as the handler of one S3 operation (see routes.ts for how requests are matched). */
export function S3Operation(operation: Operation): MethodDecorator {
  return All(`${S3_MOUNT}/${operation}`);
}
