import { Module } from '@nestjs/common';
import { CopyService } from './copy.service';
import { DeleteObjectsService } from './delete-objects.service';
import { ObjectsController } from './objects.controller';
import { ObjectsService } from './objects.service';

@Module({ controllers: [ObjectsController], providers: [ObjectsService, CopyService, DeleteObjectsService] })
export class ObjectsModule {}
