import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { BucketsService } from './buckets.service';

@Controller()
export class BucketsController {
  constructor(private readonly buckets: BucketsService) {}

  @S3Operation('ListBuckets')
  async listBuckets(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.listBuckets(request));
  }

  @S3Operation('CreateBucket')
  async createBucket(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.createBucket(request));
  }

  @S3Operation('DeleteBucket')
  async deleteBucket(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.deleteBucket(request));
  }

  @S3Operation('HeadBucket')
  async headBucket(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.headBucket(request));
  }

  @S3Operation('GetBucketLocation')
  async getBucketLocation(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.getBucketLocation(request));
  }

  @S3Operation('GetBucketAcl')
  async getBucketAcl(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.getBucketAcl(request));
  }

  @S3Operation('PutBucketAcl')
  async putBucketAcl(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.putBucketAcl(request));
  }

  @S3Operation('ListObjects')
  async listObjects(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.listObjectsV1(request));
  }

  @S3Operation('ListObjectsV2')
  async listObjectsV2(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.buckets.listObjectsV2(request));
  }
}
