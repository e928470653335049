import { createHash } from 'node:crypto';
import type { ObjectStore } from '../../ais/store';
import { type CompiledPolicy, parsePolicy } from './policy-document';

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
  private readonly compiled = new Map<string, CompiledPolicy>();

  constructor(private readonly store: ObjectStore) {}

  /** The bucket's policy, compiled; undefined when it has none. Throws NoSuchBucket. */
  async of(bucket: string): Promise<CompiledPolicy | undefined> {
    const stored = await this.store.getBucketSetting(bucket, 'policy', true);
    return stored === undefined ? undefined : this.compile(bucket, stored);
  }

  compile(bucket: string, stored: StoredPolicy): CompiledPolicy {
    let policy = this.compiled.get(stored.digest);
    if (policy === undefined) {
      policy = parsePolicy(stored.document, bucket);
      if (this.compiled.size >= MAX_COMPILED) this.compiled.delete(this.compiled.keys().next().value as string);
      this.compiled.set(stored.digest, policy);
    }
    return policy;
  }
}
