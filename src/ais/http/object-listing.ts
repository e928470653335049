import { NULL_VERSION, ObjectSummary } from '../ais-client';
import type { AisHttp } from './ais-http';
import type { AisListFetch } from './listing';
import { bucketPath } from './object-names';

/** Go time layout for RFC 3339 with nanoseconds: AIS's default atime format has minute precision only. */
const TIME_FORMAT = '2006-01-02T15:04:05.000000000Z07:00';
const ENTRY_IS_DIR = 256;

interface AisEntry {
  name: string;
  size?: string;
  checksum?: string;
  atime?: string;
  flags?: number;
}

/**
 * One listed object. AIS lists no modification time for `ais://` objects: the access time (the write time
 * until the object is first read) stands in for S3's LastModified.
 */
export function summaryOfEntry(entry: AisEntry): ObjectSummary {
  const atime = entry.atime ? Date.parse(entry.atime.replace(/(\.\d{3})\d+/, '$1')) : NaN;
  return {
    key: entry.name,
    size: Number(entry.size ?? 0),
    etag: entry.checksum ?? '',
    lastModified: new Date(Number.isNaN(atime) ? 0 : atime),
    versionId: NULL_VERSION,
  };
}

/** AIS's recursive listing of `bucket` under `prefix`, one AIS page per call (a GET with a JSON body). */
export function aisListFetch(http: AisHttp, bucket: string, prefix: string): AisListFetch {
  return async (startAfter, limit) => {
    const value: Record<string, unknown> = { prefix, pagesize: limit, props: 'name,size,checksum,atime', time_format: TIME_FORMAT };
    if (startAfter !== undefined) value.start_after = startAfter;
    const { text } = await http.proxyCall({ method: 'GET', path: bucketPath(bucket), json: { action: 'list', value }, context: { bucket } });
    const answer = JSON.parse(text) as { entries?: AisEntry[] | null; continuation_token?: string };
    const raw = answer.entries ?? [];
    return {
      entries: raw.filter((entry) => ((entry.flags ?? 0) & ENTRY_IS_DIR) === 0).map(summaryOfEntry),
      done: !answer.continuation_token || raw.length < limit,
    };
  };
}
