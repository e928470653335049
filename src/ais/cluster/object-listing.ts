import { NULL_VERSION, type ObjectSummary } from '../store';
import type { AisHttp } from './ais-http';
import type { AisLister } from './listing';
import { lastModifiedOfListed, versionIdOfListed } from './custom-metadata';
import { multipartEtagOfListed } from './multipart-metadata';
import { bucketPath } from './object-names';
import { isVersionIdOf } from './version-ids';

/** Go time layout for RFC 3339 with nanoseconds: AIS's default atime format has minute precision only. */
const TIME_FORMAT = '2006-01-02T15:04:05.000000000Z07:00';
const ENTRY_IS_DIR = 256;
/** AIS's list flags (`api/apc/lsmsg.go`); they travel as a string. */
const LIST_NAMES_ONLY = 16;
const LIST_NO_RECURSION = 2048;

interface AisEntry {
  name: string;
  size?: string;
  checksum?: string;
  atime?: string;
  flags?: number;
  'custom-md'?: string;
}

/**
 * One listed object. Its LastModified is the write time the gateway keeps in custom metadata (what HEAD and
 * GET report too); AIS lists no modification time for `ais://` objects, so for an object written natively the
 * access time (the write time until the object is first read) stands in.
 */
export function summaryOfEntry(bucket: string, entry: AisEntry): ObjectSummary {
  const versionId = versionIdOfListed(entry['custom-md']);
  const atime = entry.atime ? Date.parse(entry.atime.replace(/(\.\d{3})\d+/, '$1')) : NaN;
  return {
    key: entry.name,
    size: Number(entry.size ?? 0),
    etag: multipartEtagOfListed(entry['custom-md'], entry.checksum) ?? entry.checksum ?? '',
    lastModified: lastModifiedOfListed(entry['custom-md']) ?? new Date(Number.isNaN(atime) ? 0 : atime),
    versionId: isVersionIdOf(versionId, bucket, entry.name) ? versionId : NULL_VERSION,
  };
}

/**
 * AIS's list action on `bucket`, one AIS page per call (a GET with a JSON body). Objects come with what S3
 * shows of them; a listing without recursion also gives subdirectories (`name/`), including the empty ones
 * deletes leave behind.
 */
export function aisLister(http: AisHttp, bucket: string): AisLister {
  return async ({ directory, startAfter, limit, recursive, namesOnly }) => {
    const flags = (recursive ? 0 : LIST_NO_RECURSION) | (namesOnly ? LIST_NAMES_ONLY : 0);
    const value: Record<string, unknown> = {
      prefix: directory,
      pagesize: limit,
      props: namesOnly ? 'name' : 'name,size,checksum,atime,custom',
      time_format: TIME_FORMAT,
    };
    if (flags !== 0) value.flags = String(flags);
    if (startAfter !== undefined) value.start_after = startAfter;
    const { text } = await http.proxyCall({ method: 'GET', path: bucketPath(bucket), json: { action: 'list', value }, context: { bucket } });
    const answer = JSON.parse(text) as { entries?: AisEntry[] | null; continuation_token?: string };
    const raw = answer.entries ?? [];
    return {
      entries: raw.map((entry) =>
        ((entry.flags ?? 0) & ENTRY_IS_DIR) !== 0
          ? { name: entry.name }
          : // The version tag and the S3 key are those of the key the name holds (object-names.ts).
            { name: entry.name, summary: (key: string) => summaryOfEntry(bucket, { ...entry, name: key }) },
      ),
      // AIS gives a continuation token with every page it had to cut (and with a full last page).
      full: raw.length >= limit || (answer.continuation_token ?? '') !== '',
    };
  };
}
