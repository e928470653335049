import { Controller, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../config/configuration';
import { sendKeptAlive } from '../s3/keep-alive';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { MultipartService } from './multipart.service';

@Controller()
export class MultipartController {
  constructor(
    private readonly multipart: MultipartService,
    private readonly config: ConfigService<AppConfig, true>,
  ) {}

  @S3Operation('CreateMultipartUpload')
  async createMultipartUpload(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.multipart.createMultipartUpload(request));
  }

  @S3Operation('UploadPart')
  async uploadPart(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.multipart.uploadPart(request));
  }

  @S3Operation('UploadPartCopy')
  async uploadPartCopy(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.multipart.uploadPartCopy(request));
  }

  @S3Operation('CompleteMultipartUpload')
  async completeMultipartUpload(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    await sendKeptAlive(reply, request, this.multipart.completeMultipartUpload(request), this.config.get('completeKeepAliveMs', { infer: true }));
  }

  @S3Operation('AbortMultipartUpload')
  async abortMultipartUpload(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.multipart.abortMultipartUpload(request));
  }

  @S3Operation('ListParts')
  async listParts(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.multipart.listParts(request));
  }

  @S3Operation('ListMultipartUploads')
  async listMultipartUploads(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.multipart.listMultipartUploads(request));
  }
}
