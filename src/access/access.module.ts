import { Global, Module } from '@nestjs/common';
import { AccessControl } from './access-control';

@Global()
@Module({ providers: [AccessControl], exports: [AccessControl] })
export class AccessModule {}
