import { Global, Module } from '@nestjs/common';
import { ObjectLockController } from './object-lock.controller';
import { ObjectLockService } from './object-lock.service';
import { ObjectLocks } from './object-locks';

/** S3 Object Lock: its operations, and what object operations ask of it (ObjectLocks, for every module). */
@Global()
@Module({ controllers: [ObjectLockController], providers: [ObjectLockService, ObjectLocks], exports: [ObjectLocks] })
export class ObjectLockModule {}
