import { Module } from '@nestjs/common';
import { CopyService } from './copy.service';
import { DeleteObjectsService } from './delete-objects.service';
import { ObjectsController } from './objects.controller';
import { ObjectsService } from './objects.service';
import { MultipartController } from './multipart.controller';
import { MultipartService } from './multipart.service';

@Module({ controllers: [ObjectsController, MultipartController], providers: [ObjectsService, CopyService, DeleteObjectsService, MultipartService] })
export class ObjectsModule {}
