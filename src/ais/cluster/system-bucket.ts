import type { AisHttp } from './ais-http';
import { NEW_BUCKET_PROPS } from './buckets';
import { isBucketMissing, isBucketTaken, isMissing } from './errors';
import { type AisListPage, isDirectoryEntry, listPage, parseListedTime } from './object-listing';
import { objectPath, bucketPath } from './object-names';
import { UPLOADS_BUCKET } from './upload-names';

export interface ListedName {
  name: string;
  size: number;
  /** AIS's checksum (MD5: the bucket is created with it). */
  checksum: string;
  atime: Date;
  custom?: string;
}

/**
 * The gateway's own AIS bucket (UPLOADS_BUCKET: multipart state, and buckets' CORS configurations), created on
 * first write. Small records are whole objects in it: written, read and deleted here.
 */
export class SystemBucket {
  private bucketCreated?: Promise<void>;

  constructor(private readonly http: AisHttp) {}

  /** Creates the bucket unless this process already did (or found it). */
  private ensureBucket(): Promise<void> {
    this.bucketCreated ??= this.http
      .proxyCall({
        method: 'POST',
        path: bucketPath(UPLOADS_BUCKET),
        json: { action: 'create-bck', value: NEW_BUCKET_PROPS },
        context: { bucket: UPLOADS_BUCKET },
      })
      .then(
        () => undefined,
        (err: unknown) => {
          this.bucketCreated = undefined;
          if (!isBucketTaken(err)) throw err;
        },
      );
    return this.bucketCreated;
  }

  /** Writes `body` as the object `name` (with `headers`, such as custom metadata), creating the bucket if needed. */
  async put(name: string, body: Buffer, headers: Record<string, string | string[]> = {}): Promise<void> {
    const write = async (): Promise<void> => {
      await this.http.objectCall({ method: 'PUT', path: objectPath(UPLOADS_BUCKET, name), headers, body, context: { bucket: UPLOADS_BUCKET, key: name } });
    };
    await this.ensureBucket();
    try {
      await write();
    } catch (err) {
      // The bucket was destroyed since this process created it (by an operator, or a test resetting AIS).
      if (!isBucketMissing(err)) throw err;
      this.bucketCreated = undefined;
      await this.ensureBucket();
      await write();
    }
  }

  /** The object's text; undefined when there is no such object (or no bucket yet). */
  async getText(name: string): Promise<string | undefined> {
    try {
      const { text } = await this.http.objectText({ method: 'GET', path: objectPath(UPLOADS_BUCKET, name), context: { bucket: UPLOADS_BUCKET, key: name } });
      return text;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  }

  /** Deletes an object; one already gone (or the whole bucket) is fine. */
  async delete(name: string): Promise<void> {
    try {
      await this.http.objectCall({ method: 'DELETE', path: objectPath(UPLOADS_BUCKET, name), context: { bucket: UPLOADS_BUCKET, key: name } });
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  /**
   * One AIS listing page of the bucket: names starting with `prefix`, strictly after `startAfter`; `next` is where
   * the listing goes on, undefined once it has ended. A missing bucket lists as empty (nothing was ever written to
   * it, or it was reset).
   */
  async list(
    prefix: string,
    startAfter: string | undefined,
    pageSize: number,
    props = 'name,size,checksum,atime',
  ): Promise<{ entries: ListedName[]; next?: string }> {
    let page: AisListPage;
    try {
      page = await listPage(this.http, UPLOADS_BUCKET, { prefix, startAfter, pageSize, props });
    } catch (err) {
      if (isMissing(err)) return { entries: [] };
      throw err;
    }
    const entries = page.entries
      .filter((entry) => !isDirectoryEntry(entry))
      .map((entry) => ({
        name: entry.name,
        size: Number(entry.size ?? 0),
        checksum: entry.checksum ?? '',
        atime: new Date(entry.atime ? parseListedTime(entry.atime) : 0),
        custom: entry['custom-md'],
      }));
    return { entries, next: page.next };
  }
}
