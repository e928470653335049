import { Module } from '@nestjs/common';
import { TaggingController } from './tagging.controller';
import { TaggingService } from './tagging.service';

/** Object and bucket tagging (Get/Put/DeleteObjectTagging, Get/Put/DeleteBucketTagging). */
@Module({ controllers: [TaggingController], providers: [TaggingService] })
export class TaggingModule {}
