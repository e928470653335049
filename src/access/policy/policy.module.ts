import { Module } from '@nestjs/common';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';
import { PublicAccessBlockController } from './public-access-block.controller';
import { PublicAccessBlockService } from './public-access-block.service';

/**
 * Bucket policies and public access blocks: their documents (Get/Put/DeleteBucketPolicy, GetBucketPolicyStatus,
 * Get/Put/DeletePublicAccessBlock); the access check evaluates them.
 */
@Module({ controllers: [PolicyController, PublicAccessBlockController], providers: [PolicyService, PublicAccessBlockService] })
export class PolicyModule {}
