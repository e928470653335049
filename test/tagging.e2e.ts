import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteBucketTaggingCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetBucketTaggingCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  type Tag,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { itOn } from './support/backend';
import { useGateway } from './support/fixture';
import { rawRequest, xmlText } from './support/raw-http';
import { expectS3Error, expectS3ErrorResponse } from './support/s3-errors';

function tags(count: number, prefix = 'k'): Tag[] {
  return Array.from({ length: count }, (_, i) => ({ Key: `${prefix}${i}`, Value: `v${i}` }));
}

function taggingXml(set: ReadonlyArray<{ Key: string; Value: string }>): string {
  const inner = set.map((tag) => `<Tag><Key>${tag.Key}</Key><Value>${tag.Value}</Value></Tag>`).join('');
  return `<Tagging><TagSet>${inner}</TagSet></Tagging>`;
}

function md5(body: string): string {
  return createHash('md5').update(body).digest('base64');
}

const SORTED = (set: Tag[] | undefined): Tag[] => [...(set ?? [])].sort((a, b) => ((a.Key ?? '') < (b.Key ?? '') ? -1 : 1));

describe('object and bucket tagging through @aws-sdk/client-s3', () => {
  const fixture = useGateway();
  const s3 = () => fixture.s3;

  async function objectTags(bucket: string, key: string, versionId?: string): Promise<Tag[]> {
    return SORTED((await s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key, VersionId: versionId }))).TagSet);
  }

  /** The x-amz-tagging-count header of a plain GET and of a HEAD, as on the wire. */
  async function tagCounts(bucket: string, key: string): Promise<{ get?: string; head?: string }> {
    const get = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}/${key}` });
    const head = await rawRequest(fixture.gateway.origin, { method: 'HEAD', path: `/s3/${bucket}/${key}` });
    expect([get.status, head.status]).toEqual([200, 200]);
    return { get: get.headers['x-amz-tagging-count'] as string | undefined, head: head.headers['x-amz-tagging-count'] as string | undefined };
  }

  it('PutObjectTagging sets the tags GetObjectTagging reads back, GET and HEAD count them, DeleteObjectTagging removes them', async () => {
    const bucket = await fixture.newBucket();
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'body' }));
    expect(await objectTags(bucket, 'k')).toEqual([]);
    expect(await tagCounts(bucket, 'k')).toEqual({ get: undefined, head: undefined });
    const set = [
      { Key: 'project', Value: 'blue sky' },
      { Key: 'team', Value: 'a+b=c.d_e:f/g@h-i' },
      { Key: 'empty', Value: '' },
    ];
    const put = await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: set } }));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(await objectTags(bucket, 'k')).toEqual(SORTED(set));
    expect(await tagCounts(bucket, 'k')).toEqual({ get: '3', head: '3' });
    expect((await s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).TagCount).toBe(3);
    // A second PutObjectTagging replaces the set whole.
    await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: [{ Key: 'only', Value: 'one' }] } }));
    expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'only', Value: 'one' }]);
    expect(await tagCounts(bucket, 'k')).toEqual({ get: '1', head: '1' });
    const deleted = await s3().send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'k' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(await objectTags(bucket, 'k')).toEqual([]);
    expect(await tagCounts(bucket, 'k')).toEqual({ get: undefined, head: undefined });
    // The object itself is untouched.
    expect(await (await s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).Body?.transformToString()).toBe('body');
  });

  it('an empty TagSet removes the tags; GetObjectTagging answers an empty TagSet in S3 XML', async () => {
    const bucket = await fixture.newBucket();
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', Tagging: 'a=1' }));
    await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: [] } }));
    const raw = await rawRequest(fixture.gateway.origin, { method: 'GET', path: `/s3/${bucket}/k?tagging` });
    expect(raw.status).toBe(200);
    expect(raw.body).toContain('<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet/></Tagging>');
  });

  it('accepts the limits: 10 tags, keys of 128 and values of 256 Unicode characters', async () => {
    const bucket = await fixture.newBucket();
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }));
    const set = [...tags(9), { Key: 'é'.repeat(128), Value: 'ü'.repeat(256) }];
    await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: set } }));
    expect(await objectTags(bucket, 'k')).toEqual(SORTED(set));
  });

  describe('refusals change nothing: the old tags remain', () => {
    const refusals: Array<[string, Tag[], string, string]> = [
      ['11 tags', tags(11), 'BadRequest', 'Object tags cannot be greater than 10'],
      ['a key of 129 characters', [{ Key: 'k'.repeat(129), Value: 'v' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
      ['an empty key', [{ Key: '', Value: 'v' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
      ['a value of 257 characters', [{ Key: 'k', Value: 'v'.repeat(257) }], 'InvalidTag', 'The TagValue you have provided is invalid'],
      ['a key with a character tags cannot hold', [{ Key: 'a,b', Value: 'v' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
      ['a value with a character tags cannot hold', [{ Key: 'k', Value: 'a*b' }], 'InvalidTag', 'The TagValue you have provided is invalid'],
      [
        'two tags with one key',
        [
          { Key: 'k', Value: '1' },
          { Key: 'k', Value: '2' },
        ],
        'InvalidTag',
        'Cannot provide multiple Tags with the same key',
      ],
      ['the reserved aws: prefix', [{ Key: 'aws:owner', Value: 'me' }], 'InvalidTag', 'Your TagKey cannot be prefixed with aws:'],
    ];

    it.each(refusals)('PutObjectTagging with %s is refused and the old tags remain', async (_, set, code, message) => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', Tagging: 'old=tag' }));
      const err = await expectS3Error(s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: set } })), code, 400);
      expect(err.message).toBe(message);
      expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'old', Value: 'tag' }]);
    });

    it('MalformedXML for a broken or incomplete Tagging document, InvalidRequest without Content-MD5', async () => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', Tagging: 'old=tag' }));
      const put = (body: string, headers: Record<string, string> = { 'content-md5': md5(body) }) =>
        rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}/k?tagging`, headers, body });
      for (const body of ['<Tagging><TagSet>', '<Tagging/>', '<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>', 'not xml']) {
        expectS3ErrorResponse(await put(body), 'MalformedXML', 400);
      }
      const missing = await put(taggingXml([{ Key: 'a', Value: 'b' }]), {});
      expectS3ErrorResponse(missing, 'InvalidRequest', 400);
      expect(xmlText(missing.body, 'Message')).toBe('Missing required header for this request: Content-MD5');
      expectS3ErrorResponse(await put(taggingXml([{ Key: 'a', Value: 'b' }]), { 'content-md5': md5('other') }), 'BadDigest', 400);
      expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'old', Value: 'tag' }]);
    });
  });

  it('a missing key is NoSuchKey and a missing bucket NoSuchBucket, for reads and writes of tags', async () => {
    const bucket = await fixture.newBucket();
    await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'none' })), 'NoSuchKey', 404);
    await expectS3Error(s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'none', Tagging: { TagSet: tags(1) } })), 'NoSuchKey', 404);
    await expectS3Error(s3().send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'none' })), 'NoSuchKey', 404);
    await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: 'no-such-bucket', Key: 'k' })), 'NoSuchBucket', 404);
  });

  describe('x-amz-tagging on writes', () => {
    it('PutObject with x-amz-tagging stores the tags (form-encoded: + and %20 are spaces, a bare key has the empty value)', async () => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x', Tagging: 'a=1&b=two+words&c=caf%C3%A9%20au%20lait&bare' }));
      expect(await objectTags(bucket, 'k')).toEqual([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: 'two words' },
        { Key: 'bare', Value: '' },
        { Key: 'c', Value: 'café au lait' },
      ]);
      expect(await tagCounts(bucket, 'k')).toEqual({ get: '4', head: '4' });
    });

    it('an overwrite without x-amz-tagging drops the tags; one with it has only its own', async () => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 'a=1&b=2' }));
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two' }));
      expect(await objectTags(bucket, 'k')).toEqual([]);
      expect(await tagCounts(bucket, 'k')).toEqual({ get: undefined, head: undefined });
      await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', Tagging: { TagSet: tags(2) } }));
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'three', Tagging: 'c=3' }));
      expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'c', Value: '3' }]);
    });

    it('a bad x-amz-tagging header is refused with S3 error and stores nothing', async () => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'old', Tagging: 'old=tag' }));
      const cases: Array<[string, string, string]> = [
        [
          'a=1&a=2',
          'InvalidArgument',
          "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.",
        ],
        ['a=b=c', 'InvalidArgument', "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."],
        ['a=%zz', 'InvalidArgument', "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates."],
        [
          tags(11)
            .map((tag) => `${tag.Key}=${tag.Value}`)
            .join('&'),
          'BadRequest',
          'Object tags cannot be greater than 10',
        ],
        ['a%2Cb=1', 'InvalidTag', 'The TagKey you have provided is invalid'],
        ['aws%3Ax=1', 'InvalidTag', 'Your TagKey cannot be prefixed with aws:'],
      ];
      for (const [header, code, message] of cases) {
        const err = await expectS3Error(s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'new', Tagging: header })), code, 400);
        expect(err.message).toBe(message);
        const fresh = await expectS3Error(s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'fresh', Body: 'new', Tagging: header })), code, 400);
        expect(fresh.message).toBe(message);
      }
      expect(await (await s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))).Body?.transformToString()).toBe('old');
      expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'old', Value: 'tag' }]);
      await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'fresh' })), 'NoSuchKey', 404);
    });

    it('CopyObject keeps the source tags (directive COPY, the default) or takes the request own (REPLACE)', async () => {
      const bucket = await fixture.newBucket();
      const other = await fixture.newBucket();
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'source', Tagging: 'a=1&b=2' }));
      const sourceWritten = (await s3().send(new ListObjectsV2Command({ Bucket: bucket }))).Contents?.[0].LastModified;
      await new Promise((resolve) => setTimeout(resolve, 20));
      await s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/src` }));
      // The copy is written now; the source keeps its own write time.
      const listed = (await s3().send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [];
      expect(listed.find((item) => item.Key === 'src')?.LastModified).toEqual(sourceWritten);
      expect(listed.find((item) => item.Key === 'copy')?.LastModified?.getTime()).toBeGreaterThan(sourceWritten?.getTime() ?? Infinity);
      expect(await objectTags(bucket, 'copy')).toEqual([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ]);
      expect(await tagCounts(bucket, 'copy')).toEqual({ get: '2', head: '2' });
      // COPY ignores x-amz-tagging; across buckets too; with metadata REPLACE too.
      await s3().send(new CopyObjectCommand({ Bucket: other, Key: 'copy', CopySource: `${bucket}/src`, Tagging: 'x=9', MetadataDirective: 'REPLACE' }));
      expect(await objectTags(other, 'copy')).toEqual([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ]);
      await s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'replaced', CopySource: `${bucket}/src`, TaggingDirective: 'REPLACE', Tagging: 'x=9' }));
      expect(await objectTags(bucket, 'replaced')).toEqual([{ Key: 'x', Value: '9' }]);
      await s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'untagged', CopySource: `${bucket}/src`, TaggingDirective: 'REPLACE' }));
      expect(await objectTags(bucket, 'untagged')).toEqual([]);
      expect(await tagCounts(bucket, 'untagged')).toEqual({ get: undefined, head: undefined });
      // Retagging the copy leaves the source as it was, and the other way round; an untagged source's copy too.
      await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'copy', Tagging: { TagSet: [{ Key: 'c', Value: '3' }] } }));
      expect(await objectTags(bucket, 'src')).toEqual([
        { Key: 'a', Value: '1' },
        { Key: 'b', Value: '2' },
      ]);
      await s3().send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'src' }));
      expect(await objectTags(bucket, 'copy')).toEqual([{ Key: 'c', Value: '3' }]);
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'plain', Body: 'untagged' }));
      await s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'plain-copy', CopySource: `${bucket}/plain` }));
      await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'plain-copy', Tagging: { TagSet: [{ Key: 'd', Value: '4' }] } }));
      expect(await objectTags(bucket, 'plain')).toEqual([]);
      expect(await tagCounts(bucket, 'plain')).toEqual({ get: undefined, head: undefined });
      expect(await objectTags(bucket, 'plain-copy')).toEqual([{ Key: 'd', Value: '4' }]);
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: 'source', Tagging: 'a=1&b=2' }));
      const err = await expectS3Error(
        s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'bad', CopySource: `${bucket}/src`, TaggingDirective: 'MOVE' as 'COPY' })),
        'InvalidArgument',
        400,
      );
      expect(err.message).toBe('Unknown tagging directive.');
      const tooMany = tags(11)
        .map((tag) => `${tag.Key}=${tag.Value}`)
        .join('&');
      await expectS3Error(
        s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'bad', CopySource: `${bucket}/src`, TaggingDirective: 'REPLACE', Tagging: tooMany })),
        'BadRequest',
        400,
      );
      await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'bad' })), 'NoSuchKey', 404);
    });

    it('CreateMultipartUpload with x-amz-tagging: the completed object has the tags', async () => {
      const bucket = await fixture.newBucket();
      const { UploadId } = await s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp', Tagging: 'stage=raw&owner=data+team' }));
      const part = await s3().send(new UploadPartCommand({ Bucket: bucket, Key: 'mp', UploadId, PartNumber: 1, Body: 'only part' }));
      await s3().send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
      );
      expect(await objectTags(bucket, 'mp')).toEqual([
        { Key: 'owner', Value: 'data team' },
        { Key: 'stage', Value: 'raw' },
      ]);
      expect(await tagCounts(bucket, 'mp')).toEqual({ get: '2', head: '2' });
      await expectS3Error(s3().send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'bad', Tagging: 'a=1&a=2' })), 'InvalidArgument', 400);
    });
  });

  describe('versions', () => {
    const versioned = async (): Promise<string> => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      return bucket;
    };

    it('GetObjectTagging and PutObjectTagging answer the version they act on', async () => {
      const bucket = await versioned();
      const v1 = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 'v=1' }));
      const read = await s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k' }));
      expect(read.VersionId).toBe(v1.VersionId);
      const put = await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId, Tagging: { TagSet: tags(1) } }));
      expect(put.VersionId).toBe(v1.VersionId);
      expect(await objectTags(bucket, 'k', v1.VersionId)).toEqual(tags(1));
    });

    itOn('embedded')('each version keeps its own tags; PutObjectTagging with versionId changes only that version', async () => {
      const bucket = await versioned();
      const v1 = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 'v=1' }));
      const v2 = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', Tagging: 'v=2' }));
      expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'v', Value: '2' }]);
      expect(await objectTags(bucket, 'k', v1.VersionId)).toEqual([{ Key: 'v', Value: '1' }]);
      const put = await s3().send(
        new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId, Tagging: { TagSet: [{ Key: 'old', Value: 'yes' }] } }),
      );
      expect(put.VersionId).toBe(v1.VersionId);
      expect(await objectTags(bucket, 'k', v1.VersionId)).toEqual([{ Key: 'old', Value: 'yes' }]);
      expect(await objectTags(bucket, 'k', v2.VersionId)).toEqual([{ Key: 'v', Value: '2' }]);
      // The older version's bytes are untouched, and reading it by id counts its own tags.
      const older = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId }));
      expect([await older.Body?.transformToString(), older.TagCount]).toEqual(['one', 1]);
      const deleted = await s3().send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: v2.VersionId }));
      expect(deleted.VersionId).toBe(v2.VersionId);
      expect(await objectTags(bucket, 'k')).toEqual([]);
      expect(await objectTags(bucket, 'k', v1.VersionId)).toEqual([{ Key: 'old', Value: 'yes' }]);
      // A copy of an older version carries that version's tags.
      await s3().send(new CopyObjectCommand({ Bucket: bucket, Key: 'restored', CopySource: `${bucket}/k?versionId=${v1.VersionId}` }));
      expect(await objectTags(bucket, 'restored')).toEqual([{ Key: 'old', Value: 'yes' }]);
    });

    itOn('embedded')('a delete marker has no tags: 405 MethodNotAllowed by its version id, 404 NoSuchKey as the latest version', async () => {
      const bucket = await versioned();
      const v1 = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 'v=1' }));
      const marker = await s3().send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
      await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: marker.VersionId })), 'MethodNotAllowed', 405);
      await expectS3Error(
        s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: marker.VersionId, Tagging: { TagSet: tags(1) } })),
        'MethodNotAllowed',
        405,
      );
      await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k' })), 'NoSuchKey', 404);
      await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: 'nosuchversion' })), 'InvalidArgument', 400);
      expect(await objectTags(bucket, 'k', v1.VersionId)).toEqual([{ Key: 'v', Value: '1' }]);
    });

    itOn('ais')('AIS keeps the latest version only: another version id is NoSuchVersion', async () => {
      const bucket = await versioned();
      const v1 = await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 'v=1' }));
      await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', Tagging: 'v=2' }));
      await expectS3Error(s3().send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId })), 'NoSuchVersion', 404);
      await expectS3Error(
        s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: v1.VersionId, Tagging: { TagSet: tags(1) } })),
        'NoSuchVersion',
        404,
      );
      expect(await objectTags(bucket, 'k')).toEqual([{ Key: 'v', Value: '2' }]);
    });
  });

  itOn('ais')('tags take no room from user metadata on AIS, and an object whose metadata leaves none refuses them, changing nothing', async () => {
    const bucket = await fixture.newBucket();
    // As much user metadata as an untagged object on AIS takes (test/objects.e2e.ts): tags are not counted then.
    const full = { a: 'x'.repeat(1900) };
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'full', Body: 'x', Metadata: full }));
    const err = await expectS3Error(
      s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'full', Tagging: { TagSet: tags(1) } })),
      'MetadataTooLarge',
      400,
    );
    expect(err.message).toMatch(/leaves no room for the 26 bytes of a reference to its tags/);
    expect(await objectTags(bucket, 'full')).toEqual([]);
    const kept = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'full' }));
    expect([kept.Metadata, kept.TagCount]).toEqual([full, undefined]);
    // Ten tags of the largest size beside 1.8 KB of user metadata.
    const big = [...tags(9), { Key: 'k'.repeat(128), Value: 'v'.repeat(256) }];
    const metadata = { a: 'x'.repeat(1800) };
    await s3().send(new PutObjectCommand({ Bucket: bucket, Key: 'both', Body: 'x', Metadata: metadata }));
    await s3().send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'both', Tagging: { TagSet: big } }));
    expect(await objectTags(bucket, 'both')).toEqual(SORTED(big));
    expect((await s3().send(new GetObjectCommand({ Bucket: bucket, Key: 'both' }))).Metadata).toEqual(metadata);
  });

  describe('bucket tagging', () => {
    it('PutBucketTagging is read back by GetBucketTagging; DeleteBucketTagging removes it; none is 404 NoSuchTagSet', async () => {
      const bucket = await fixture.newBucket();
      const err = await expectS3Error(s3().send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
      expect(err.message).toBe('The TagSet does not exist');
      const set = tags(50);
      const put = await s3().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: set } }));
      expect(put.$metadata.httpStatusCode).toBe(204);
      expect((await s3().send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual(set);
      await s3().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'cost-center', Value: '42' }] } }));
      expect((await s3().send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([{ Key: 'cost-center', Value: '42' }]);
      expect((await s3().send(new DeleteBucketTaggingCommand({ Bucket: bucket }))).$metadata.httpStatusCode).toBe(204);
      await expectS3Error(s3().send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
      await expectS3Error(s3().send(new GetBucketTaggingCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
    });

    const refusals: Array<[string, Tag[], string, string]> = [
      ['51 tags', tags(51), 'BadRequest', 'Bucket tag count cannot be greater than 50'],
      [
        'two tags with one key',
        [
          { Key: 'k', Value: '1' },
          { Key: 'k', Value: '2' },
        ],
        'InvalidTag',
        'Cannot provide multiple Tags with the same key',
      ],
      ['the reserved aws: prefix', [{ Key: 'aws:cloudformation:stack', Value: 's' }], 'InvalidTag', 'System tags cannot be added/updated by requester'],
      ['a key of 129 characters', [{ Key: 'k'.repeat(129), Value: '' }], 'InvalidTag', 'The TagKey you have provided is invalid'],
      ['a value of 257 characters', [{ Key: 'k', Value: 'v'.repeat(257) }], 'InvalidTag', 'The TagValue you have provided is invalid'],
    ];

    it.each(refusals)('PutBucketTagging with %s is refused and the old tags remain', async (_, set, code, message) => {
      const bucket = await fixture.newBucket();
      await s3().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: 'old', Value: 'tag' }] } }));
      const err = await expectS3Error(s3().send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: set } })), code, 400);
      expect(err.message).toBe(message);
      expect((await s3().send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([{ Key: 'old', Value: 'tag' }]);
    });

    it('PutBucketTagging needs Content-MD5 and a well-formed document', async () => {
      const bucket = await fixture.newBucket();
      const body = taggingXml([{ Key: 'a', Value: 'b' }]);
      const missing = await rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}?tagging`, body });
      expectS3ErrorResponse(missing, 'InvalidRequest', 400);
      const broken = '<Tagging><TagSet><Tag><Key>a</Key>';
      expectS3ErrorResponse(
        await rawRequest(fixture.gateway.origin, { method: 'PUT', path: `/s3/${bucket}?tagging`, headers: { 'content-md5': md5(broken) }, body: broken }),
        'MalformedXML',
        400,
      );
      await expectS3Error(s3().send(new GetBucketTaggingCommand({ Bucket: bucket })), 'NoSuchTagSet', 404);
    });
  });
});
