import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { TaggingService } from './tagging.service';

@Controller()
export class TaggingController {
  constructor(private readonly tagging: TaggingService) {}

  @S3Operation('GetObjectTagging')
  async getObjectTagging(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.tagging.getObjectTagging(request));
  }

  @S3Operation('PutObjectTagging')
  async putObjectTagging(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.tagging.putObjectTagging(request));
  }

  @S3Operation('DeleteObjectTagging')
  async deleteObjectTagging(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.tagging.deleteObjectTagging(request));
  }

  @S3Operation('GetBucketTagging')
  async getBucketTagging(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.tagging.getBucketTagging(request));
  }

  @S3Operation('PutBucketTagging')
  async putBucketTagging(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.tagging.putBucketTagging(request));
  }

  @S3Operation('DeleteBucketTagging')
  async deleteBucketTagging(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.tagging.deleteBucketTagging(request));
  }
}
