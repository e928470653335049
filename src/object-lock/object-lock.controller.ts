import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { ObjectLockService } from './object-lock.service';

@Controller()
export class ObjectLockController {
  constructor(private readonly locks: ObjectLockService) {}

  @S3Operation('GetObjectLockConfiguration')
  async getObjectLockConfiguration(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.locks.getObjectLockConfiguration(request));
  }

  @S3Operation('PutObjectLockConfiguration')
  async putObjectLockConfiguration(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.locks.putObjectLockConfiguration(request));
  }

  @S3Operation('GetObjectRetention')
  async getObjectRetention(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.locks.getObjectRetention(request));
  }

  @S3Operation('PutObjectRetention')
  async putObjectRetention(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.locks.putObjectRetention(request));
  }

  @S3Operation('GetObjectLegalHold')
  async getObjectLegalHold(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.locks.getObjectLegalHold(request));
  }

  @S3Operation('PutObjectLegalHold')
  async putObjectLegalHold(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.locks.putObjectLegalHold(request));
  }
}
