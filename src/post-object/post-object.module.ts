import { Module } from '@nestjs/common';
import { PostObjectController } from './post-object.controller';
import { PostObjectService } from './post-object.service';

/** POST Object: browser uploads through an HTML form (src/post-object). */
@Module({ controllers: [PostObjectController], providers: [PostObjectService] })
export class PostObjectModule {}
