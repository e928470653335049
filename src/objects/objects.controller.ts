import { Controller, Res } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import type { AppConfig } from '../config/configuration';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { cutStalledReader } from '../s3/stalled-reader';
import { CopyService } from './copy.service';
import { DeleteObjectsService } from './delete-objects.service';
import { ObjectsService } from './objects.service';

@Controller()
export class ObjectsController {
  private readonly stalledReaderTimeoutMs: number;

  constructor(
    private readonly objects: ObjectsService,
    private readonly copies: CopyService,
    private readonly deletes: DeleteObjectsService,
    config: ConfigService<AppConfig, true>,
  ) {
    this.stalledReaderTimeoutMs = config.get('stalledReaderTimeoutMs', { infer: true });
  }

  @S3Operation('PutObject')
  async putObject(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.objects.putObject(request));
  }

  @S3Operation('GetObject')
  async getObject(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    const response = await this.objects.getObject(request);
    send(reply, response);
    cutStalledReader(reply, response, this.stalledReaderTimeoutMs);
  }

  @S3Operation('HeadObject')
  async headObject(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.objects.headObject(request));
  }

  @S3Operation('GetObjectAttributes')
  async getObjectAttributes(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.objects.getObjectAttributes(request));
  }

  @S3Operation('DeleteObject')
  async deleteObject(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.objects.deleteObject(request));
  }

  @S3Operation('CopyObject')
  async copyObject(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.copies.copyObject(request));
  }

  @S3Operation('DeleteObjects')
  async deleteObjects(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.deletes.deleteObjects(request));
  }

  @S3Operation('GetObjectAcl')
  async getObjectAcl(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.objects.getObjectAcl(request));
  }

  @S3Operation('PutObjectAcl')
  async putObjectAcl(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.objects.putObjectAcl(request));
  }
}
