import { Controller, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { send } from '../s3/response';
import { S3Operation } from '../s3/s3-operation.decorator';
import type { S3Request } from '../s3/s3-request';
import { S3Req } from '../s3/s3-request.decorator';
import { PostObjectService } from './post-object.service';

@Controller()
export class PostObjectController {
  constructor(private readonly posts: PostObjectService) {}

  @S3Operation('PostObject')
  async postObject(@S3Req() request: S3Request, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.posts.postObject(request));
  }
}
