import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../../s3/response';
import { S3Operation } from '../../s3/s3-operation.decorator';
import type { S3Request } from '../../s3/s3-request';
import { S3Req } from '../../s3/s3-request.decorator';
import { AclService } from './acl.service';

/** Get/Put/DeleteBucketOwnershipControls: a bucket's Object Ownership (ownership.ts). */
@Controller()
export class OwnershipControlsController {
  constructor(private readonly acl: AclService) {}

  @S3Operation('GetBucketOwnershipControls')
  async get(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.acl.getOwnershipControls(request));
  }

  @S3Operation('PutBucketOwnershipControls')
  async put(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.acl.putOwnershipControls(request));
  }

  @S3Operation('DeleteBucketOwnershipControls')
  async delete(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.acl.deleteOwnershipControls(request));
  }
}
