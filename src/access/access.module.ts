import { Global, Module } from '@nestjs/common';
import { AccessControl } from './access-control';
import { AclService } from './acl/acl.service';
import { OwnershipControlsController } from './acl/ownership-controls.controller';

@Global()
@Module({ controllers: [OwnershipControlsController], providers: [AccessControl, AclService], exports: [AccessControl, AclService] })
export class AccessModule {}
