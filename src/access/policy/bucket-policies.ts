import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../ais/store';
import { type CompiledPolicy, parsePolicy } from './policy-document';
import { isPublicPolicy } from './policy-status';
import { restrictsPublicPolicy } from './public-access-block';

/** A bucket policy as the store keeps it: the document as put, and a digest naming its compiled form. */
export interface StoredPolicy {
  document: string;
  /** SHA-256 of the bucket name and the document: the compiled-policy cache's key. */
  digest: string;
}

/** How many compiled policies a process keeps (a few KB each); beyond it the oldest is dropped and compiled again when needed. */
const MAX_COMPILED = 1000;

export function storedPolicy(bucket: string, document: string): StoredPolicy {
  return { document, digest: createHash('sha256').update(bucket).update('\0').update(document).digest('hex') };
}

/**
 * Buckets' policies for the access check of every request: one cached setting read per request (a bucket without
 * a policy costs nothing more), and the compiled form of each policy kept by its digest, so no request parses JSON.
 */
export class BucketPolicies {
  private readonly compiled = new Map<string, { policy: CompiledPolicy; isPublic: boolean }>();

  constructor(private readonly store: ObjectStore) {}

  /**
   * The bucket's policy, compiled, as the access check applies it; undefined when it has none. Throws
   * NoSuchBucket. `restricted`: the policy is public and the bucket's public access block has
   * RestrictPublicBuckets (the block is read only for buckets with a public policy).
   */
  async of(bucket: string): Promise<{ policy: CompiledPolicy; restricted: boolean } | undefined> {
    const stored = await this.store.getBucketSetting(bucket, 'policy', true);
    if (stored === undefined) return undefined;
    const { policy, isPublic } = this.compile(bucket, stored);
    const restricted = isPublic && restrictsPublicPolicy(await this.store.getBucketSetting(bucket, 'publicAccessBlock', true), isPublic);
    return { policy, restricted };
  }

  private compile(bucket: string, stored: StoredPolicy): { policy: CompiledPolicy; isPublic: boolean } {
    let entry = this.compiled.get(stored.digest);
    if (entry === undefined) {
      const policy = parsePolicy(stored.document, bucket);
      entry = { policy, isPublic: isPublicPolicy(policy) };
      if (this.compiled.size >= MAX_COMPILED) this.compiled.delete(this.compiled.keys().next().value as string);
      this.compiled.set(stored.digest, entry);
    }
    return entry;
  }
}
