import { Module } from '@nestjs/common';
import { PolicyController } from './policy.controller';
import { PolicyService } from './policy.service';

/** Bucket policies: their documents (Get/Put/DeleteBucketPolicy, GetBucketPolicyStatus); the access check evaluates them. */
@Module({ controllers: [PolicyController], providers: [PolicyService] })
export class PolicyModule {}
