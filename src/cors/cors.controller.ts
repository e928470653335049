import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { CorsPolicy } from './cors-policy';
import { CorsService } from './cors.service';

@Controller()
export class CorsController {
  constructor(
    private readonly cors: CorsService,
    private readonly policy: CorsPolicy,
  ) {}

  @S3Operation('GetBucketCors')
  async getBucketCors(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.cors.getBucketCors(request));
  }

  @S3Operation('PutBucketCors')
  async putBucketCors(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.cors.putBucketCors(request));
  }

  @S3Operation('DeleteBucketCors')
  async deleteBucketCors(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.cors.deleteBucketCors(request));
  }

  @S3Operation('CorsPreflight')
  async preflight(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.policy.preflight(request));
  }
}
