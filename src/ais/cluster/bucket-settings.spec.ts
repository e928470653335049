import { s3ErrorOf } from '../../../test/support/rejections';
import type { CorsRule } from '../../cors/cors-configuration';
import { S3Error } from '../../s3/errors';
import type { BucketInfo } from '../store';
import { AisBucketSettings, type BucketHeads, SETTINGS_TRUSTED_MS, settingRecordName } from './bucket-settings';
import type { SystemBucket } from './system-bucket';

const RULES: CorsRule[] = [{ allowedOrigins: ['*'], allowedMethods: ['GET'], allowedHeaders: [], exposeHeaders: [] }];
const CREATED = new Date('2026-01-02T03:04:05.678Z');

/** The system bucket as a map of names to texts, counting reads. */
function systemBucket(): { bucket: SystemBucket; objects: Map<string, string>; reads: () => number } {
  const objects = new Map<string, string>();
  let reads = 0;
  const bucket = {
    put: (name: string, body: Buffer) => Promise.resolve(void objects.set(name, body.toString('utf8'))),
    getText: (name: string) => {
      reads += 1;
      return Promise.resolve(objects.get(name));
    },
    delete: (name: string) => Promise.resolve(void objects.delete(name)),
  } as unknown as SystemBucket;
  return { bucket, objects, reads: () => reads };
}

describe('AisBucketSettings', () => {
  let now: number;
  beforeEach(() => {
    now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => jest.restoreAllMocks());

  const heads = (created = CREATED): BucketHeads => {
    const head = (bucket: string): Promise<BucketInfo> =>
      bucket === 'photos' ? Promise.resolve({ name: bucket, created }) : Promise.reject(new S3Error('NoSuchBucket', undefined, { BucketName: bucket }));
    return { head, recent: head };
  };

  it('keeps the rules with the creation time of their bucket, and reads them back', async () => {
    const system = systemBucket();
    await new AisBucketSettings(system.bucket, heads()).put('photos', 'cors', RULES);
    expect(JSON.parse(system.objects.get(settingRecordName('photos', 'cors'))!)).toEqual({ bucket: 'photos', bucketCreated: CREATED.getTime(), value: RULES });
    expect(await new AisBucketSettings(system.bucket, heads()).get('photos', 'cors', false)).toEqual(RULES);
  });

  it('ignores rules made for an earlier bucket of the same name', async () => {
    const system = systemBucket();
    await new AisBucketSettings(system.bucket, heads()).put('photos', 'cors', RULES);
    const reborn = new AisBucketSettings(system.bucket, heads(new Date(CREATED.getTime() + 1)));
    expect(await reborn.get('photos', 'cors', false)).toBeUndefined();
  });

  it('answers cached reads from what it read within SETTINGS_TRUSTED_MS, fresh reads always from AIS', async () => {
    const system = systemBucket();
    const cors = new AisBucketSettings(system.bucket, heads());
    expect(await cors.get('photos', 'cors', true)).toBeUndefined();
    await new AisBucketSettings(system.bucket, heads()).put('photos', 'cors', RULES); // another replica
    now += SETTINGS_TRUSTED_MS - 1;
    expect(await cors.get('photos', 'cors', true)).toBeUndefined();
    expect(system.reads()).toBe(1);
    expect(await cors.get('photos', 'cors', false)).toEqual(RULES);
    await new AisBucketSettings(system.bucket, heads()).delete('photos', 'cors');
    now += SETTINGS_TRUSTED_MS;
    expect(await cors.get('photos', 'cors', true)).toBeUndefined();
  });

  it('shares one read among the requests that found the rules stale, and sees its own changes at once', async () => {
    const system = systemBucket();
    const cors = new AisBucketSettings(system.bucket, heads());
    const answers = await Promise.all(Array.from({ length: 5 }, () => cors.get('photos', 'cors', true)));
    expect({ answers, reads: system.reads() }).toEqual({ answers: [undefined, undefined, undefined, undefined, undefined], reads: 1 });
    await cors.put('photos', 'cors', RULES);
    expect(await cors.get('photos', 'cors', true)).toEqual(RULES);
    await cors.delete('photos', 'cors');
    expect(await cors.get('photos', 'cors', true)).toBeUndefined();
    expect(system.reads()).toBe(1);
  });

  it('is NoSuchBucket for a bucket that does not exist, and remembers nothing about it', async () => {
    const system = systemBucket();
    const cors = new AisBucketSettings(system.bucket, heads());
    expect((await s3ErrorOf(cors.get('nowhere', 'cors', true))).code).toBe('NoSuchBucket');
    expect((await s3ErrorOf(cors.put('nowhere', 'cors', RULES))).code).toBe('NoSuchBucket');
    expect((await s3ErrorOf(cors.delete('nowhere', 'cors'))).code).toBe('NoSuchBucket');
    expect(system.objects.size).toBe(0);
  });
});
