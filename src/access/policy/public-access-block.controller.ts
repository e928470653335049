import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../../s3/response';
import { S3Operation } from '../../s3/s3-operation.decorator';
import type { S3Request } from '../../s3/s3-request';
import { S3Req } from '../../s3/s3-request.decorator';
import { PublicAccessBlockService } from './public-access-block.service';

@Controller()
export class PublicAccessBlockController {
  constructor(private readonly blocks: PublicAccessBlockService) {}

  @S3Operation('GetPublicAccessBlock')
  async getPublicAccessBlock(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.blocks.getPublicAccessBlock(request));
  }

  @S3Operation('PutPublicAccessBlock')
  async putPublicAccessBlock(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.blocks.putPublicAccessBlock(request));
  }

  @S3Operation('DeletePublicAccessBlock')
  async deletePublicAccessBlock(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.blocks.deletePublicAccessBlock(request));
  }
}
