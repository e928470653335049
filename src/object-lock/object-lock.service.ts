import { Inject, Injectable } from '@nestjs/common';
import { OBJECT_STORE, type ObjectLock, type ObjectStore } from '../ais/store';
import { bucketAndKey, requestedVersion } from '../objects/object-address';
import { readConfigurationDocument } from '../s3/body';
import { S3Error } from '../s3/errors';
import { emptyResponse, type S3Response, xmlResponse } from '../s3/response';
import type { S3Request } from '../s3/s3-request';
import { MAX_REQUEST_XML_BYTES } from '../s3/xml';
import {
  checkRetentionChange,
  lockConfigurationXml,
  missingConfigurationError,
  parseLegalHold,
  parseLockConfiguration,
  parseRetention,
  retainUntilText,
} from './object-lock-rules';
import { ObjectLocks } from './object-locks';

function noLockOnObject(): S3Error {
  return new S3Error('NoSuchObjectLockConfiguration');
}

/**
 * Get/PutObjectLockConfiguration (the bucket setting `objectLock`), Get/PutObjectRetention and
 * Get/PutObjectLegalHold (a version's lock, kept with the version by the store). Every document is read and checked
 * before the store is asked to change anything: a refused request changes nothing.
 */
@Injectable()
export class ObjectLockService {
  constructor(
    @Inject(OBJECT_STORE) private readonly store: ObjectStore,
    private readonly locks: ObjectLocks,
  ) {}

  async getObjectLockConfiguration(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const config = await this.store.getBucketSetting(bucket, 'objectLock');
    if (config === undefined) throw new S3Error('ObjectLockConfigurationNotFoundError', undefined, { BucketName: bucket });
    return xmlResponse('ObjectLockConfiguration', lockConfigurationXml(config));
  }

  /**
   * Enables Object Lock (S3 lets a bucket with versioning Enabled turn it on) and sets or removes the default
   * retention. Content-MD5 or a checksum header is required, as for every configuration PUT.
   */
  async putObjectLockConfiguration(request: S3Request): Promise<S3Response> {
    const bucket = request.bucket as string;
    const config = parseLockConfiguration(await readConfigurationDocument(request, MAX_REQUEST_XML_BYTES));
    const info = await this.store.headBucket(bucket);
    if (info.versioning !== 'Enabled') {
      throw new S3Error('InvalidBucketState', "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration", { BucketName: bucket });
    }
    await this.store.putBucketSetting(bucket, 'objectLock', config);
    this.locks.forget(bucket);
    return emptyResponse(200);
  }

  async getObjectRetention(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    await this.requireLockEnabled(bucket);
    const info = await this.store.headObject(bucket, key, requestedVersion(request));
    const lock = info.lock;
    if (lock?.mode === undefined || lock.retainUntil === undefined) throw noLockOnObject();
    return xmlResponse('Retention', { Mode: lock.mode, RetainUntilDate: retainUntilText(lock.retainUntil) });
  }

  /**
   * Sets, extends, shortens or removes a version's retention under S3's rules (checkRetentionChange), in one step
   * with the store's read of the version's current lock.
   */
  async putObjectRetention(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const versionId = requestedVersion(request);
    await this.requireLockEnabled(bucket);
    const text = await readConfigurationDocument(request, MAX_REQUEST_XML_BYTES);
    const next = parseRetention(text, Date.now());
    // A bucket policy testing s3:object-lock-* keys is decided now, on the document's retention.
    await request.authorizeLockDocument?.(next.mode === undefined ? {} : { mode: next.mode, retainUntilDate: retainUntilText(next.retainUntil as number) });
    const bypass = this.locks.mayBypass(request);
    await this.store.putObjectLock(bucket, key, versionId, (info) => {
      checkRetentionChange(info.lock, next, Date.now(), bypass);
      const changed: ObjectLock = { ...info.lock, ...next };
      if (next.mode === undefined) {
        delete changed.mode;
        delete changed.retainUntil;
      }
      return changed;
    });
    return emptyResponse(200);
  }

  async getObjectLegalHold(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    await this.requireLockEnabled(bucket);
    const info = await this.store.headObject(bucket, key, requestedVersion(request));
    if (info.lock?.legalHold === undefined) throw noLockOnObject();
    return xmlResponse('LegalHold', { Status: info.lock.legalHold ? 'ON' : 'OFF' });
  }

  async putObjectLegalHold(request: S3Request): Promise<S3Response> {
    const { bucket, key } = bucketAndKey(request);
    const versionId = requestedVersion(request);
    await this.requireLockEnabled(bucket);
    const legalHold = parseLegalHold(await readConfigurationDocument(request, MAX_REQUEST_XML_BYTES));
    await request.authorizeLockDocument?.({ legalHold: legalHold ? 'ON' : 'OFF' });
    await this.store.putObjectLock(bucket, key, versionId, (info) => ({ ...info.lock, legalHold }));
    return emptyResponse(200);
  }

  private async requireLockEnabled(bucket: string): Promise<void> {
    if ((await this.store.getBucketSetting(bucket, 'objectLock', true)) === undefined) throw missingConfigurationError();
  }
}
