import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { LifecycleService } from './lifecycle.service';

@Controller()
export class LifecycleController {
  constructor(private readonly lifecycle: LifecycleService) {}

  @S3Operation('GetBucketLifecycleConfiguration')
  async get(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.lifecycle.getBucketLifecycle(request));
  }

  @S3Operation('PutBucketLifecycleConfiguration')
  async put(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.lifecycle.putBucketLifecycle(request));
  }

  @S3Operation('DeleteBucketLifecycle')
  async delete(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.lifecycle.deleteBucketLifecycle(request));
  }
}
