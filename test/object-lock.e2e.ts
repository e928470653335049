/**
 * S3 Object Lock through @aws-sdk/client-s3 (and raw requests where an SDK would not send the request), on the pass's
 * backend: the bucket's configuration, a version's retention and legal hold, the lock headers of writes, and every
 * refusal, each shown to change nothing. Where AIS differs (it keeps the latest version only) the test says so.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { e2eBackend } from './support/backend';
import { boto3Scenario, run, type RunResult, runOk } from './support/clients';
import { AWS_CLI, BOTO3, useClientGateway, useGateway } from './support/fixture';
import { type RunningGateway, startGateway } from './support/gateway';
import { postForm } from './support/post-form';
import { rawRequest, xmlText } from './support/raw-http';
import { s3ClientFor } from './support/s3-client';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';
import type { AccessKey } from './support/sigv4-client';

const FUTURE = new Date('2099-01-01T00:00:00.000Z');
const LATER_FUTURE = new Date('2099-06-01T00:00:00.000Z');
const LOCKED_MESSAGE = 'Access Denied because object protected by object lock.';
const MISSING_CONFIGURATION = 'Bucket is missing Object Lock Configuration';
const ais = e2eBackend() === 'ais';

function md5(body: string): string {
  return createHash('md5').update(body).digest('base64');
}

async function bodyOf(s3: S3Client, bucket: string, key: string, versionId?: string): Promise<string> {
  return (await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }))).Body?.transformToString()) ?? '';
}

describe('Object Lock through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  const s3 = () => fixture.s3;
  const raw = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    rawRequest(fixture.gateway.origin, { method, path: `/s3/${path}`, headers, body });

  let lockedBuckets = 0;

  /** A new bucket with Object Lock enabled at creation. */
  async function lockedBucket(): Promise<string> {
    const name = `locked-${++lockedBuckets}`;
    await s3().send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: true }));
    return name;
  }

  const retention = (bucket: string, key: string, versionId?: string) =>
    s3().send(new GetObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId }));

  it('CreateBucket with x-amz-bucket-object-lock-enabled turns versioning on and enables Object Lock; a default rule is put and read back', async () => {
    const bucket = await lockedBucket();
    expect((await s3().send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
    expect((await s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
    const rule = { DefaultRetention: { Mode: 'COMPLIANCE' as const, Years: 2 } };
    await s3().send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: rule } }));
    expect((await s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: rule,
    });
    // Without Rule the default retention goes; Object Lock stays.
    await s3().send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    expect((await s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
  });

  it('refuses what S3 refuses about the configuration, and each refusal changes nothing', async () => {
    const plain = await fixture.newBucket();
    await expectS3Error(s3().send(new GetObjectLockConfigurationCommand({ Bucket: plain })), 'ObjectLockConfigurationNotFoundError', 404);
    // Object Lock needs versioning Enabled: without it InvalidBucketState, and the bucket stays as it was.
    const enable = { ObjectLockEnabled: 'Enabled' as const };
    await expectS3Error(s3().send(new PutObjectLockConfigurationCommand({ Bucket: plain, ObjectLockConfiguration: enable })), 'InvalidBucketState', 409);
    await expectS3Error(s3().send(new GetObjectLockConfigurationCommand({ Bucket: plain })), 'ObjectLockConfigurationNotFoundError', 404);
    // With versioning Enabled an existing bucket may turn it on (as S3 allows since 2023).
    await s3().send(new PutBucketVersioningCommand({ Bucket: plain, VersioningConfiguration: { Status: 'Enabled' } }));
    await s3().send(new PutObjectLockConfigurationCommand({ Bucket: plain, ObjectLockConfiguration: enable }));
    expect((await s3().send(new GetObjectLockConfigurationCommand({ Bucket: plain }))).ObjectLockConfiguration).toEqual(enable);

    const bucket = await lockedBucket();
    const documents: Array<[string, string, string, number]> = [
      ['Disabled', '<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>', 'MalformedXML', 400],
      ['days and years', ruleXml('<Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years>'), 'MalformedXML', 400],
      ['a lowercase mode', ruleXml('<Mode>governance</Mode><Days>1</Days>'), 'MalformedXML', 400],
      ['zero days', ruleXml('<Mode>GOVERNANCE</Mode><Days>0</Days>'), 'InvalidRetentionPeriod', 400],
      ['negative years', ruleXml('<Mode>GOVERNANCE</Mode><Years>-1</Years>'), 'InvalidRetentionPeriod', 400],
    ];
    for (const [, body, code, status] of documents) {
      expectS3ErrorResponse(await raw('PUT', `${bucket}?object-lock`, { 'content-md5': md5(body) }, body), code, status);
    }
    // A configuration PUT needs Content-MD5 or a checksum header, as on S3.
    const good = ruleXml('<Mode>GOVERNANCE</Mode><Days>1</Days>');
    expectS3ErrorResponse(await raw('PUT', `${bucket}?object-lock`, {}, good), 'InvalidRequest', 400);
    expect((await s3().send(new GetObjectLockConfigurationCommand({ Bucket: bucket }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: 'Enabled' });
    // Versioning cannot be suspended on a bucket with Object Lock.
    const error = await expectS3Error(
      s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } })),
      'InvalidBucketState',
      409,
    );
    expect(error.message).toBe('An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.');
    expect((await s3().send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe('Enabled');
  });

  function ruleXml(retention: string): string {
    return `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention>${retention}</DefaultRetention></Rule></ObjectLockConfiguration>`;
  }

  it('keeps a retention and a legal hold per version, answers them on GET and HEAD, and refuses to delete the version while either holds', async () => {
    const bucket = await lockedBucket();
    const { VersionId: version } = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'kept' }));
    await expectS3Error(retention(bucket, 'k', version), 'NoSuchObjectLockConfiguration', 404);
    await expectS3Error(s3().send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', VersionId: version })), 'NoSuchObjectLockConfiguration', 404);
    await s3().send(
      new PutObjectRetentionCommand({ Bucket: bucket, Key: 'k', VersionId: version, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: FUTURE } }),
    );
    expect((await retention(bucket, 'k', version)).Retention).toEqual({ Mode: 'GOVERNANCE', RetainUntilDate: FUTURE });
    await s3().send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', VersionId: version, LegalHold: { Status: 'ON' } }));
    expect((await s3().send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'k' }))).LegalHold).toEqual({ Status: 'ON' });
    const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect([head.ObjectLockMode, head.ObjectLockRetainUntilDate, head.ObjectLockLegalHoldStatus]).toEqual(['GOVERNANCE', FUTURE, 'ON']);
    const get = await raw('GET', `${bucket}/k`);
    expect([get.headers['x-amz-object-lock-mode'], get.headers['x-amz-object-lock-retain-until-date'], get.headers['x-amz-object-lock-legal-hold']]).toEqual([
      'GOVERNANCE',
      '2099-01-01T00:00:00.000Z',
      'ON',
    ]);

    // A legal hold holds even against the bypass; a GOVERNANCE retention only without it.
    const held = await expectS3Error(
      s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: version, BypassGovernanceRetention: true })),
      'AccessDenied',
      403,
    );
    expect(held.message).toBe(LOCKED_MESSAGE);
    await s3().send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', VersionId: version, LegalHold: { Status: 'OFF' } }));
    expect((await s3().send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'k' }))).LegalHold).toEqual({ Status: 'OFF' });
    await expectS3Error(s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: version })), 'AccessDenied', 403);
    expect(await bodyOf(s3(), bucket, 'k', version)).toBe('kept');
    const bypassed = await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: version, BypassGovernanceRetention: true }));
    expect(bypassed.$metadata.httpStatusCode).toBe(204);
    await expectS3Error(s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', VersionId: version })), 'NotFound', 404);
  });

  it('a delete without a version id: a delete marker over a locked version (embedded); refused on AIS, which would destroy it', async () => {
    const bucket = await lockedBucket();
    const { VersionId: version } = await s3().send(
      new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'kept', ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: FUTURE }),
    );
    if (ais) {
      const refused = await expectS3Error(s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' })), 'AccessDenied', 403);
      expect(refused.message).toBe(LOCKED_MESSAGE);
      // So is an overwrite: AIS would replace the locked version.
      await expectS3Error(s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'over' })), 'AccessDenied', 403);
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'other', Body: 'other' }));
      await expectS3Error(s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'k', CopySource: `${bucket}/other` })), 'AccessDenied', 403);
      const upload = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
      const part = await s3().send(new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId: upload.UploadId, PartNumber: 1, Body: 'part' }));
      const complete = new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'k',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      });
      await expectS3Error(s3().send(complete), 'AccessDenied', 403);
      const batch = await s3().send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'k' }] } }));
      expect(batch.Errors?.map((entry) => [entry.Key, entry.Code])).toEqual([['k', 'AccessDenied']]);
      expect(await bodyOf(s3(), bucket, 'k')).toBe('kept');
      expect((await retention(bucket, 'k', version)).Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: FUTURE });
      return;
    }
    const deleted = await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(deleted.DeleteMarker).toBe(true);
    const versions = await s3().send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(versions.Versions?.map((entry) => entry.VersionId)).toEqual([version]);
    expect(await bodyOf(s3(), bucket, 'k', version)).toBe('kept');
    // The marker itself is no locked version: it can go, and the version is current again.
    await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: deleted.VersionId }));
    // An overwrite is a new version; the locked one stays.
    const { VersionId: newer } = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'newer' }));
    expect(newer).not.toBe(version);
    expect(await bodyOf(s3(), bucket, 'k', version)).toBe('kept');
    // COMPLIANCE holds against the bypass too.
    await expectS3Error(
      s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: version, BypassGovernanceRetention: true })),
      'AccessDenied',
      403,
    );
  });

  it('COMPLIANCE can only be extended; GOVERNANCE can be shortened or removed with the bypass only', async () => {
    const bucket = await lockedBucket();
    const put = (key: string) => s3().send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    const setRetention = (key: string, versionId: string | undefined, value: { Mode?: 'GOVERNANCE' | 'COMPLIANCE'; RetainUntilDate?: Date }, bypass = false) =>
      s3().send(new PutObjectRetentionCommand({ Bucket: bucket, Key: key, VersionId: versionId, Retention: value, BypassGovernanceRetention: bypass }));

    const { VersionId: c } = await put('compliance');
    await setRetention('compliance', c, { Mode: 'COMPLIANCE', RetainUntilDate: FUTURE });
    for (const change of [
      { Mode: 'COMPLIANCE' as const, RetainUntilDate: new Date('2098-01-01T00:00:00Z') },
      { Mode: 'GOVERNANCE' as const, RetainUntilDate: LATER_FUTURE },
      {},
    ]) {
      const error = await expectS3Error(setRetention('compliance', c, change, true), 'AccessDenied', 403);
      expect(error.message).toBe(LOCKED_MESSAGE);
    }
    expect((await retention(bucket, 'compliance', c)).Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: FUTURE });
    await setRetention('compliance', c, { Mode: 'COMPLIANCE', RetainUntilDate: LATER_FUTURE });
    expect((await retention(bucket, 'compliance', c)).Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: LATER_FUTURE });

    const { VersionId: g } = await put('governance');
    await setRetention('governance', g, { Mode: 'GOVERNANCE', RetainUntilDate: LATER_FUTURE });
    await expectS3Error(setRetention('governance', g, { Mode: 'GOVERNANCE', RetainUntilDate: FUTURE }), 'AccessDenied', 403);
    await expectS3Error(setRetention('governance', g, {}), 'AccessDenied', 403);
    expect((await retention(bucket, 'governance', g)).Retention).toEqual({ Mode: 'GOVERNANCE', RetainUntilDate: LATER_FUTURE });
    await setRetention('governance', g, { Mode: 'GOVERNANCE', RetainUntilDate: FUTURE }, true);
    expect((await retention(bucket, 'governance', g)).Retention).toEqual({ Mode: 'GOVERNANCE', RetainUntilDate: FUTURE });
    await setRetention('governance', g, {}, true);
    await expectS3Error(retention(bucket, 'governance', g), 'NoSuchObjectLockConfiguration', 404);
    expect((await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'governance', VersionId: g }))).$metadata.httpStatusCode).toBe(204);

    // A date in the past is InvalidArgument; the retention stays.
    const past = '<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2020-01-01T00:00:00Z</RetainUntilDate></Retention>';
    const refused = await raw('PUT', `${bucket}/compliance?retention&versionId=${c}`, { 'content-md5': md5(past) }, past);
    expectS3ErrorResponse(refused, 'InvalidArgument', 400);
    expect(xmlText(refused.body, 'Message')).toBe('The retain until date must be in the future!');
    expect((await retention(bucket, 'compliance', c)).Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: LATER_FUTURE });
  });

  it('takes the lock headers of PutObject, CopyObject and CreateMultipartUpload, and the default retention for writes without them', async () => {
    const bucket = await lockedBucket();
    await s3().send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'src',
        Body: 'src',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: FUTURE,
        ObjectLockLegalHoldStatus: 'ON',
      }),
    );
    // A copy never takes the source's lock: only its own headers'.
    const copied = await s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/src` }));
    const copy = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'copy', VersionId: copied.VersionId }));
    expect([copy.ObjectLockMode, copy.ObjectLockLegalHoldStatus]).toEqual([undefined, undefined]);
    await s3().send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'copy2',
        CopySource: `${bucket}/src`,
        ObjectLockMode: 'COMPLIANCE',
        ObjectLockRetainUntilDate: LATER_FUTURE,
      }),
    );
    expect((await retention(bucket, 'copy2')).Retention).toEqual({ Mode: 'COMPLIANCE', RetainUntilDate: LATER_FUTURE });
    // Into a bucket without Object Lock (on AIS: AIS's own copy, which carries the source's custom metadata) no lock either.
    const plain = await fixture.newBucket();
    await s3().send(new CopyObjectCommand({ Bucket: plain, Key: 'copy', CopySource: `${bucket}/src` }));
    const plainCopy = await s3().send(new HeadObjectCommand({ Bucket: plain, Key: 'copy' }));
    expect([plainCopy.ObjectLockMode, plainCopy.ObjectLockRetainUntilDate, plainCopy.ObjectLockLegalHoldStatus]).toEqual([undefined, undefined, undefined]);
    await s3().send(new DeleteObjectCommand({ Bucket: plain, Key: 'copy' }));

    const upload = await s3().send(
      new CreateMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        ObjectLockMode: 'GOVERNANCE',
        ObjectLockRetainUntilDate: FUTURE,
        ObjectLockLegalHoldStatus: 'ON',
      }),
    );
    const part = await s3().send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId: upload.UploadId, PartNumber: 1, Body: 'only part' }));
    const done = await s3().send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    const mp = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp', VersionId: done.VersionId }));
    expect([mp.ObjectLockMode, mp.ObjectLockRetainUntilDate, mp.ObjectLockLegalHoldStatus]).toEqual(['GOVERNANCE', FUTURE, 'ON']);

    // The default retention: every new version without lock headers gets it, counted from its write.
    const defaulted = await lockedBucket();
    const rule = { DefaultRetention: { Mode: 'GOVERNANCE' as const, Days: 1 } };
    await s3().send(new PutObjectLockConfigurationCommand({ Bucket: defaulted, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: rule } }));
    const before = Date.now();
    const { VersionId: version } = await s3().send(new PutObjectCommand({ Bucket: defaulted, Key: 'd', Body: 'd' }));
    const kept = (await retention(defaulted, 'd', version)).Retention;
    expect(kept?.Mode).toBe('GOVERNANCE');
    const until = kept?.RetainUntilDate?.getTime() ?? 0;
    expect(until).toBeGreaterThanOrEqual(before + 86400000 - 1000);
    expect(until).toBeLessThanOrEqual(Date.now() + 86400000);
    await expectS3Error(s3().send(new DeleteObjectCommand({ Bucket: defaulted, Key: 'd', VersionId: version })), 'AccessDenied', 403);
    await s3().send(new DeleteObjectCommand({ Bucket: defaulted, Key: 'd', VersionId: version, BypassGovernanceRetention: true }));
    // A browser form upload gets the default retention too.
    const posted = await postForm(`${fixture.gateway.endpoint}/${defaulted}`, { key: 'posted' }, { content: 'from a form' });
    expect(posted.status).toBe(204);
    expect((await retention(defaulted, 'posted')).Retention?.Mode).toBe('GOVERNANCE');
  });

  it('refuses bad lock headers, lock headers without Content-MD5 or a checksum, and lock requests to a bucket without Object Lock: nothing is written', async () => {
    const bucket = await lockedBucket();
    const lockHeaders = { 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2099-01-01T00:00:00Z' };
    const cases: Array<[Record<string, string>, string, string]> = [
      [{ 'x-amz-object-lock-mode': 'GOVERNANCE' }, 'InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied'],
      [
        { 'x-amz-object-lock-retain-until-date': '2099-01-01T00:00:00Z' },
        'InvalidArgument',
        'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied',
      ],
      [{ ...lockHeaders, 'x-amz-object-lock-mode': 'FOREVER' }, 'InvalidArgument', 'Unknown wormMode directive.'],
      [{ ...lockHeaders, 'x-amz-object-lock-retain-until-date': 'next week' }, 'InvalidArgument', 'The retain until date must be provided in ISO 8601 format'],
      [{ ...lockHeaders, 'x-amz-object-lock-retain-until-date': '2020-01-01T00:00:00Z' }, 'InvalidArgument', 'The retain until date must be in the future!'],
      [{ 'x-amz-object-lock-legal-hold': 'YES' }, 'InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'"],
      [lockHeaders, 'InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters'],
    ];
    for (const [headers, code, message] of cases) {
      const response = await raw('PUT', `${bucket}/refused`, { ...headers, ...(code === 'InvalidRequest' ? {} : { 'content-md5': md5('x') }) }, 'x');
      expectS3ErrorResponse(response, code, 400);
      expect(xmlText(response.body, 'Message')).toBe(message);
    }
    expect((await s3().send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions).toBeUndefined();
    // PutObjectRetention and PutObjectLegalHold need Content-MD5 or a checksum header too.
    const { VersionId: version } = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'k' }));
    const retentionXml = '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>';
    expectS3ErrorResponse(await raw('PUT', `${bucket}/k?retention&versionId=${version}`, {}, retentionXml), 'InvalidRequest', 400);
    expectS3ErrorResponse(
      await raw('PUT', `${bucket}/k?legal-hold&versionId=${version}`, {}, '<LegalHold><Status>ON</Status></LegalHold>'),
      'InvalidRequest',
      400,
    );
    await expectS3Error(retention(bucket, 'k', version), 'NoSuchObjectLockConfiguration', 404);
    await expectS3Error(s3().send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'k' })), 'NoSuchObjectLockConfiguration', 404);

    const plain = await fixture.newBucket();
    await s3().send(new PutObjectCommand({ Bucket: plain, Key: 'k', Body: 'plain' }));
    const withHeaders = await raw('PUT', `${plain}/locked`, { ...lockHeaders, 'content-md5': md5('x') }, 'x');
    expectS3ErrorResponse(withHeaders, 'InvalidRequest', 400);
    expect(xmlText(withHeaders.body, 'Message')).toBe(MISSING_CONFIGURATION);
    await expectS3Error(s3().send(new HeadObjectCommand({ Bucket: plain, Key: 'locked' })), 'NotFound', 404);
    for (const request of [
      retention(plain, 'k'),
      s3().send(new GetObjectLegalHoldCommand({ Bucket: plain, Key: 'k' })),
      s3().send(new PutObjectRetentionCommand({ Bucket: plain, Key: 'k', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: FUTURE } })),
      s3().send(new PutObjectLegalHoldCommand({ Bucket: plain, Key: 'k', LegalHold: { Status: 'ON' } })),
    ]) {
      const error = await expectS3Error(request, 'InvalidRequest', 400);
      expect(error.message).toBe(MISSING_CONFIGURATION);
    }
    const bypass = await expectS3Error(
      s3().send(new DeleteObjectCommand({ Bucket: plain, Key: 'k', BypassGovernanceRetention: true })),
      'InvalidArgument',
      400,
    );
    expect(bypass.message).toBe('x-amz-bypass-governance-retention is only applicable to Object Lock enabled buckets.');
    expect(await bodyOf(s3(), plain, 'k')).toBe('plain');
  });

  it('DeleteObjects decides each key: a locked version is its entry AccessDenied, the others are deleted', async () => {
    const bucket = await lockedBucket();
    const locked = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'locked', Body: 'l', ObjectLockLegalHoldStatus: 'ON' }));
    const free = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'free', Body: 'f' }));
    const result = await s3().send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [
            { Key: 'locked', VersionId: locked.VersionId },
            { Key: 'free', VersionId: free.VersionId },
          ],
        },
      }),
    );
    expect(result.Deleted?.map((entry) => entry.Key)).toEqual(['free']);
    expect(result.Errors?.map((entry) => [entry.Key, entry.Code, entry.Message])).toEqual([['locked', 'AccessDenied', LOCKED_MESSAGE]]);
    expect(await bodyOf(s3(), bucket, 'locked', locked.VersionId)).toBe('l');
  });
});

const OWNER: AccessKey = { accessKeyId: 'AKIALOCKOWNER0000001', secretAccessKey: 'owner/Secret+1' };
const OTHER: AccessKey = { accessKeyId: 'AKIALOCKOTHER0000002', secretAccessKey: 'other/Secret+2' };

/**
 * A gateway of its own in verify mode with two users, `owner` and `other`, for one describe block: started before its
 * tests, stopped after them.
 */
function useOwnerAndOther(tmpPrefix: string): { owner: S3Client; other: S3Client } {
  const credentialsDir = mkdtempSync(join(tmpdir(), tmpPrefix));
  let gateway: RunningGateway | undefined;
  const users = {} as { owner: S3Client; other: S3Client };
  beforeAll(async () => {
    writeFileSync(
      join(credentialsDir, 'credentials'),
      [`${OWNER.accessKeyId}:${OWNER.secretAccessKey} name=owner`, `${OTHER.accessKeyId}:${OTHER.secretAccessKey} name=other`].join('\n'),
    );
    gateway = await startGateway({ S3_CREDENTIALS_FILE: join(credentialsDir, 'credentials') });
    users.owner = s3ClientFor(gateway.endpoint, { credentials: OWNER });
    users.other = s3ClientFor(gateway.endpoint, { credentials: OTHER });
  });
  afterAll(async () => {
    users.owner?.destroy();
    users.other?.destroy();
    await gateway?.stop();
    rmSync(credentialsDir, { recursive: true, force: true });
  });
  return users;
}

describe('Object Lock: who may bypass GOVERNANCE retention (S3_AUTH=verify, s3:BypassGovernanceRetention)', () => {
  const users = useOwnerAndOther('ais-s3-lock-');
  let count = 0;

  /** A lock-enabled bucket of the owner's with one GOVERNANCE-retained object; answers its name and the version. */
  async function governed(policy?: (bucket: string) => object): Promise<{ bucket: string; version: string }> {
    const bucket = `lock-verify-${++count}`;
    await users.owner.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    const put = await users.owner.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'k', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: FUTURE }),
    );
    if (policy !== undefined) await users.owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy(bucket)) }));
    return { bucket, version: put.VersionId as string };
  }

  const statement = (effect: string, principal: string, actions: string[], bucket: string) => ({
    Effect: effect,
    Principal: { AWS: `arn:aws:iam::000000000000:user/${principal}` },
    Action: actions,
    Resource: `arn:aws:s3:::${bucket}/*`,
  });

  it('the bucket owner has it; a policy that denies it takes it away, and the version stays', async () => {
    const denied = await governed((bucket) => ({
      Version: '2012-10-17',
      Statement: [{ ...statement('Deny', 'owner', ['s3:BypassGovernanceRetention'], bucket), Principal: '*' }],
    }));
    const refused = users.owner.send(new DeleteObjectCommand({ Bucket: denied.bucket, Key: 'k', VersionId: denied.version, BypassGovernanceRetention: true }));
    await expectS3Error(refused, 'AccessDenied', 403);
    expect(await bodyOf(users.owner, denied.bucket, 'k', denied.version)).toBe('k');
    const refusedChange = users.owner.send(
      new PutObjectRetentionCommand({ Bucket: denied.bucket, Key: 'k', VersionId: denied.version, Retention: {}, BypassGovernanceRetention: true }),
    );
    await expectS3Error(refusedChange, 'AccessDenied', 403);
    expect((await users.owner.send(new GetObjectRetentionCommand({ Bucket: denied.bucket, Key: 'k' }))).Retention?.Mode).toBe('GOVERNANCE');

    const allowed = await governed();
    await users.owner.send(new DeleteObjectCommand({ Bucket: allowed.bucket, Key: 'k', VersionId: allowed.version, BypassGovernanceRetention: true }));
    await expectS3Error(users.owner.send(new HeadObjectCommand({ Bucket: allowed.bucket, Key: 'k', VersionId: allowed.version })), 'NotFound', 404);
  });

  it('another user needs a policy that allows it besides the delete', async () => {
    const deleteOnly = await governed((bucket) => ({ Version: '2012-10-17', Statement: [statement('Allow', 'other', ['s3:DeleteObjectVersion'], bucket)] }));
    const refused = users.other.send(
      new DeleteObjectCommand({ Bucket: deleteOnly.bucket, Key: 'k', VersionId: deleteOnly.version, BypassGovernanceRetention: true }),
    );
    await expectS3Error(refused, 'AccessDenied', 403);
    expect(await bodyOf(users.owner, deleteOnly.bucket, 'k', deleteOnly.version)).toBe('k');

    const both = await governed((bucket) => ({
      Version: '2012-10-17',
      Statement: [statement('Allow', 'other', ['s3:DeleteObjectVersion', 's3:BypassGovernanceRetention'], bucket)],
    }));
    await users.other.send(new DeleteObjectCommand({ Bucket: both.bucket, Key: 'k', VersionId: both.version, BypassGovernanceRetention: true }));
    await expectS3Error(users.owner.send(new HeadObjectCommand({ Bucket: both.bucket, Key: 'k', VersionId: both.version })), 'NotFound', 404);
  });
});

describe('Object Lock: bucket-policy condition keys s3:object-lock-* (S3_AUTH=verify)', () => {
  const users = useOwnerAndOther('ais-s3-lock-keys-');
  let count = 0;
  const DAY = 24 * 3600_000;
  const inDays = (days: number) => new Date(Date.now() + days * DAY);

  /** A lock-enabled bucket of the owner's with the given policy statements (on its objects). */
  async function bucketWith(...statements: object[]): Promise<string> {
    const bucket = `lock-keys-${++count}`;
    await users.owner.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    const Statement = statements.map((each) => ({ Resource: `arn:aws:s3:::${bucket}/*`, ...each }));
    await users.owner.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify({ Version: '2012-10-17', Statement }) }));
    return bucket;
  }

  const versionsIn = async (bucket: string) => (await users.owner.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions?.length ?? 0;
  const otherUser = { AWS: `arn:aws:iam::000000000000:user/other` };

  it('s3:object-lock-mode and -retain-until-date on PutObject: a policy lets another user write only GOVERNANCE retentions up to 2100', async () => {
    const bucket = await bucketWith({
      Effect: 'Allow',
      Principal: otherUser,
      Action: 's3:PutObject',
      Condition: { StringEquals: { 's3:object-lock-mode': 'GOVERNANCE' }, DateLessThan: { 's3:object-lock-retain-until-date': '2100-01-01T00:00:00Z' } },
    });
    const put = (key: string, mode?: 'GOVERNANCE' | 'COMPLIANCE', until?: Date) =>
      users.other.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key, ObjectLockMode: mode, ObjectLockRetainUntilDate: until }));
    await put('governed', 'GOVERNANCE', FUTURE);
    await expectS3Error(put('compliance', 'COMPLIANCE', FUTURE), 'AccessDenied', 403);
    await expectS3Error(put('too-long', 'GOVERNANCE', new Date('2101-01-01T00:00:00Z')), 'AccessDenied', 403);
    // Without lock headers the keys are absent, and the Allow's conditions do not hold.
    await expectS3Error(put('plain'), 'AccessDenied', 403);
    expect((await users.owner.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions?.map((entry) => entry.Key)).toEqual(['governed']);
  });

  it('s3:object-lock-remaining-retention-days on PutObjectRetention (the document), and on the bypass of GOVERNANCE it asks for', async () => {
    const bucket = await bucketWith(
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:PutObjectRetention',
        Condition: { NumericGreaterThan: { 's3:object-lock-remaining-retention-days': '400' } },
      },
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:BypassGovernanceRetention',
        Condition: { NumericLessThan: { 's3:object-lock-remaining-retention-days': '5' } },
      },
    );
    const { VersionId: version } = await users.owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'k' }));
    const retain = (days: number, bypass = false) =>
      users.owner.send(
        new PutObjectRetentionCommand({
          Bucket: bucket,
          Key: 'k',
          VersionId: version,
          Retention: { Mode: 'GOVERNANCE', RetainUntilDate: inDays(days) },
          BypassGovernanceRetention: bypass,
        }),
      );
    const retainedUntil = async () =>
      (await users.owner.send(new GetObjectRetentionCommand({ Bucket: bucket, Key: 'k' }))).Retention?.RetainUntilDate?.getTime();
    await retain(300);
    const set = await retainedUntil();
    await expectS3Error(retain(500), 'AccessDenied', 403);
    expect(await retainedUntil()).toBe(set);
    // Shortening GOVERNANCE needs the bypass; the bypass is denied below 5 days, so 2 days stays refused, 10 is let in.
    await expectS3Error(retain(2, true), 'AccessDenied', 403);
    expect(await retainedUntil()).toBe(set);
    await retain(10, true);
    expect(await retainedUntil()).toBeLessThan(set as number);
  });

  it('s3:object-lock-legal-hold on PutObjectLegalHold (the document) and on PutObject (the header)', async () => {
    const bucket = await bucketWith(
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObjectLegalHold', Condition: { StringEquals: { 's3:object-lock-legal-hold': 'OFF' } } },
      { Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Condition: { StringEquals: { 's3:object-lock-legal-hold': 'OFF' } } },
    );
    await users.owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'k', ObjectLockLegalHoldStatus: 'ON' }));
    await expectS3Error(
      users.owner.send(new PutObjectCommand({ Bucket: bucket, Key: 'off', Body: 'x', ObjectLockLegalHoldStatus: 'OFF' })),
      'AccessDenied',
      403,
    );
    await expectS3Error(users.owner.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', LegalHold: { Status: 'OFF' } })), 'AccessDenied', 403);
    expect((await users.owner.send(new GetObjectLegalHoldCommand({ Bucket: bucket, Key: 'k' }))).LegalHold?.Status).toBe('ON');
    await users.owner.send(new PutObjectLegalHoldCommand({ Bucket: bucket, Key: 'k', LegalHold: { Status: 'ON' } }));
    expect(await versionsIn(bucket)).toBe(1);
  });

  it("a POST form's lock fields are the keys of its s3:PutObject check", async () => {
    const bucket = await bucketWith({
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutObject',
      Condition: { StringEquals: { 's3:object-lock-mode': 'COMPLIANCE' } },
    });
    const form = (mode: string) =>
      createPresignedPost(users.owner, {
        Bucket: bucket,
        Key: `form-${mode}`,
        Fields: { 'x-amz-object-lock-mode': mode, 'x-amz-object-lock-retain-until-date': FUTURE.toISOString() },
      });
    const governance = await form('GOVERNANCE');
    expect((await postForm(governance.url, governance.fields, { content: 'g' })).status).toBe(204);
    const compliance = await form('COMPLIANCE');
    expectS3ErrorResponse(await postForm(compliance.url, compliance.fields, { content: 'c' }), 'AccessDenied', 403);
    expect((await users.owner.send(new ListObjectVersionsCommand({ Bucket: bucket }))).Versions?.map((entry) => entry.Key)).toEqual(['form-GOVERNANCE']);
  });
});

describe('Object Lock through boto3', () => {
  const fixture = useClientGateway(AWS_CLI, BOTO3);

  it('create_bucket ObjectLockEnabledForBucket, the configuration, retention, legal hold, lock headers on put_object, the refusals and the bypass', async () => {
    const result = await boto3Scenario(fixture.sandbox, fixture.gateway.endpoint, 'object_lock', { bucket: 'boto-lock' });
    const denied = { code: 'AccessDenied', status: 403 };
    expect(result).toMatchObject({
      versioning: 'Enabled',
      configuration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
      head: { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: '2099-01-01 00:00:00+00:00', ObjectLockLegalHoldStatus: 'ON' },
      retention: { Mode: 'GOVERNANCE', RetainUntilDate: '2099-01-01T00:00:00+00:00' },
      held: denied,
      legal_hold: { Status: 'OFF' },
      retained: denied,
      shortened: denied,
      suspended: { code: 'InvalidBucketState', status: 409 },
      bypassed: 204,
      no_configuration: { code: 'ObjectLockConfigurationNotFoundError', status: 404 },
      no_lock: { code: 'InvalidRequest', status: 400 },
    });
  });
});

describe('Object Lock through the aws CLI (s3api)', () => {
  const fixture = useClientGateway(AWS_CLI);
  const args = (command: string[]) => ['--endpoint-url', fixture.gateway.endpoint, 's3api', ...command, '--output', 'json'];
  const options = () => ({ env: fixture.sandbox.env, cwd: fixture.sandbox.dir });
  /** A command that must succeed, and what it printed as JSON ({} for nothing). */
  const s3api = async (...command: string[]): Promise<Record<string, unknown>> => {
    const { stdout } = await runOk('aws', args(command), options());
    return stdout.trim() === '' ? {} : (JSON.parse(stdout) as Record<string, unknown>);
  };
  /** A command S3 must refuse with `code`. */
  const refused = async (code: string, ...command: string[]): Promise<RunResult> => {
    const result = await run('aws', args(command), options());
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(`An error occurred (${code})`);
    return result;
  };

  it('create-bucket --object-lock-enabled-for-bucket, the configuration, put-object with lock options, retention, legal hold, refused and bypassed deletes', async () => {
    const bucket = 'cli-lock';
    await s3api('create-bucket', '--bucket', bucket, '--object-lock-enabled-for-bucket');
    expect(await s3api('get-bucket-versioning', '--bucket', bucket)).toEqual({ Status: 'Enabled' });
    const configuration = { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } };
    await s3api('put-object-lock-configuration', '--bucket', bucket, '--object-lock-configuration', JSON.stringify(configuration));
    expect(await s3api('get-object-lock-configuration', '--bucket', bucket)).toEqual({ ObjectLockConfiguration: configuration });

    writeFileSync(join(fixture.sandbox.dir, 'report.txt'), 'quarterly report');
    const put = await s3api(
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'report.txt',
      '--body',
      'report.txt',
      '--object-lock-mode',
      'GOVERNANCE',
      '--object-lock-retain-until-date',
      '2099-01-01T00:00:00Z',
    );
    const version = put.VersionId as string;
    expect(version).toEqual(expect.any(String));
    // The CLI prints a timestamp as the answer wrote it: the instant is what counts.
    const { Retention } = (await s3api('get-object-retention', '--bucket', bucket, '--key', 'report.txt')) as { Retention: Record<string, string> };
    expect([Retention.Mode, Date.parse(Retention.RetainUntilDate)]).toEqual(['GOVERNANCE', FUTURE.getTime()]);
    await s3api('put-object-legal-hold', '--bucket', bucket, '--key', 'report.txt', '--legal-hold', 'Status=ON');
    expect(await s3api('get-object-legal-hold', '--bucket', bucket, '--key', 'report.txt')).toEqual({ LegalHold: { Status: 'ON' } });
    const head = await s3api('head-object', '--bucket', bucket, '--key', 'report.txt', '--version-id', version);
    expect(head).toMatchObject({ ObjectLockMode: 'GOVERNANCE', ObjectLockLegalHoldStatus: 'ON' });
    expect(Date.parse(head.ObjectLockRetainUntilDate as string)).toBe(FUTURE.getTime());

    // Under legal hold not even the bypass deletes the version; it stays.
    const held = await refused(
      'AccessDenied',
      'delete-object',
      '--bucket',
      bucket,
      '--key',
      'report.txt',
      '--version-id',
      version,
      '--bypass-governance-retention',
    );
    expect(held.stderr).toContain(LOCKED_MESSAGE);
    await s3api('put-object-legal-hold', '--bucket', bucket, '--key', 'report.txt', '--legal-hold', 'Status=OFF');
    // GOVERNANCE retention in force: refused without the bypass, and the version stays.
    await refused('AccessDenied', 'delete-object', '--bucket', bucket, '--key', 'report.txt', '--version-id', version);
    expect(await s3api('head-object', '--bucket', bucket, '--key', 'report.txt', '--version-id', version)).toMatchObject({ ContentLength: 16 });
    // A retention cannot be put on a bucket without Object Lock.
    await s3api('create-bucket', '--bucket', 'cli-plain');
    await refused(
      'InvalidRequest',
      'put-object-retention',
      '--bucket',
      'cli-plain',
      '--key',
      'x',
      '--retention',
      'Mode=GOVERNANCE,RetainUntilDate=2099-01-01T00:00:00Z',
    );

    if (ais) {
      // AIS keeps the latest version only: a delete without version id would destroy the locked one, and is refused.
      await refused('AccessDenied', 'delete-object', '--bucket', bucket, '--key', 'report.txt');
    } else {
      expect(await s3api('delete-object', '--bucket', bucket, '--key', 'report.txt')).toMatchObject({ DeleteMarker: true });
    }
    await s3api('delete-object', '--bucket', bucket, '--key', 'report.txt', '--version-id', version, '--bypass-governance-retention');
    const gone = await run('aws', args(['head-object', '--bucket', bucket, '--key', 'report.txt', '--version-id', version]), options());
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain('Not Found');
  });
});
