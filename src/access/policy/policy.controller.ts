import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../../s3/response';
import { S3Operation } from '../../s3/s3-operation.decorator';
import type { S3Request } from '../../s3/s3-request';
import { S3Req } from '../../s3/s3-request.decorator';
import { PolicyService } from './policy.service';

@Controller()
export class PolicyController {
  constructor(private readonly policies: PolicyService) {}

  @S3Operation('GetBucketPolicy')
  async getBucketPolicy(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.policies.getBucketPolicy(request));
  }

  @S3Operation('PutBucketPolicy')
  async putBucketPolicy(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.policies.putBucketPolicy(request));
  }

  @S3Operation('DeleteBucketPolicy')
  async deleteBucketPolicy(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.policies.deleteBucketPolicy(request));
  }

  @S3Operation('GetBucketPolicyStatus')
  async getBucketPolicyStatus(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.policies.getBucketPolicyStatus(request));
  }
}
