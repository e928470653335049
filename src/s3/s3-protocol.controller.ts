import { Controller, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { S3Error } from './errors';
import { S3Operation } from './s3-operation.decorator';
import { s3RequestOf } from './s3-request';
import { ROUTING_FAILURE, S3_MOUNT } from './s3-router';
import { All } from '@nestjs/common';

/** Answers for requests that reach no S3 operation: unsupported features, wrong methods, bad addresses. */
@Controller()
export class S3ProtocolController {
  @S3Operation('NotImplemented')
  notImplemented(): never {
    throw new S3Error('NotImplemented');
  }

  @S3Operation('MethodNotAllowed')
  methodNotAllowed(): never {
    throw new S3Error('MethodNotAllowed');
  }

  @All(`${S3_MOUNT}/${ROUTING_FAILURE}`)
  routingFailure(@Req() request: FastifyRequest): never {
    const routed = s3RequestOf(request.raw);
    throw routed !== undefined && 'error' in routed ? routed.error : new S3Error('InvalidURI');
  }
}
