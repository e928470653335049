import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { S3AuthGuard } from './s3-auth.guard';

@Module({ providers: [{ provide: APP_GUARD, useClass: S3AuthGuard }] })
export class AuthModule {}
