import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { VersioningService } from './versioning.service';

@Controller()
export class VersioningController {
  constructor(private readonly versioning: VersioningService) {}

  @S3Operation('GetBucketVersioning')
  async getBucketVersioning(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.versioning.getBucketVersioning(request));
  }

  @S3Operation('PutBucketVersioning')
  async putBucketVersioning(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.versioning.putBucketVersioning(request));
  }

  @S3Operation('ListObjectVersions')
  async listObjectVersions(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.versioning.listObjectVersions(request));
  }
}
