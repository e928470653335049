import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { S3ExceptionFilter } from './s3-exception.filter';
import { S3ProtocolController } from './s3-protocol.controller';

/** The protocol layer: S3 error documents for every failure, and the answers for requests no module serves. */
@Module({
  controllers: [S3ProtocolController],
  providers: [{ provide: APP_FILTER, useClass: S3ExceptionFilter }],
})
export class S3Module {}
