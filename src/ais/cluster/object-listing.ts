import { NULL_VERSION, type ObjectSummary } from '../store';
import type { AisHttp } from './ais-http';
import type { AisLister } from './listing';
import { lastModifiedOfListed, ownerOfListed, versionIdOfListed } from './custom-metadata';
import { multipartEtagOfListed } from './multipart-metadata';
import { bucketPath } from './object-names';
import { isVersionIdOf } from './version-ids';
import type { ListingSession, ListingSessions } from './listing-sessions';

/** Go time layout for RFC 3339 with nanoseconds: AIS's default atime format has minute precision only. */
const TIME_FORMAT = '2006-01-02T15:04:05.000000000Z07:00';
const ENTRY_IS_DIR = 256;
/** AIS's list flags (`api/apc/lsmsg.go`); they travel as a string. */
const LIST_NAMES_ONLY = 16;
const LIST_NO_RECURSION = 2048;

/** One entry of AIS's list answer (docs/ais-native-api.md section 7). */
export interface AisEntry {
  name: string;
  size?: string;
  checksum?: string;
  atime?: string;
  flags?: number;
  'custom-md'?: string;
}

/** One call of AIS's list action. */
export interface AisListRequest {
  prefix: string;
  /** Only names after this one (UTF-8 bytes), AIS's `start_after`. */
  startAfter?: string;
  pageSize: number;
  /** AIS's `props`: which fields the entries carry. */
  props: string;
  /** Only the directory's own objects and subdirectories. */
  noRecursion?: boolean;
  /** Names only: AIS then loads no object metadata. */
  namesOnly?: boolean;
  /** Go on with this walk of AIS's (listing-sessions.ts): `startAfter` is then its continuation token. */
  walk?: string;
}

/** One page of AIS's listing. */
export interface AisListPage {
  entries: AisEntry[];
  /** Where the listing goes on (AIS's continuation token, the last name of this page); undefined once it has ended. */
  next?: string;
  /** AIS's id of the walk that made the page (its `uuid`). */
  walk?: string;
}

/**
 * AIS's list answer, `{"entries": [...] | null, "continuation_token": "...", ...}`. The listing has ended when
 * the token is empty, and only then: AIS v1.5.0 gives every page it cut at `pagesize` its last name as token,
 * even the last one when it is exactly full (the page after it is empty, with no token), and a short page
 * gives none (`finLsoA`, `ais/plstcx.go`; AIS's own clients and its S3 API stop on an empty token). A page
 * may also carry a token with fewer names than asked for, or none (`finLsoNBI`): the listing goes on after it.
 */
export function parseListPage(text: string): AisListPage {
  const answer = JSON.parse(text) as { entries?: AisEntry[] | null; continuation_token?: string | null; uuid?: string };
  const token = answer.continuation_token ?? '';
  return { entries: answer.entries ?? [], next: token === '' ? undefined : token, walk: answer.uuid || undefined };
}

/** One page of AIS's list action on `bucket` (a GET with a JSON body). */
export async function listPage(http: AisHttp, bucket: string, request: AisListRequest): Promise<AisListPage> {
  const flags = (request.noRecursion ? LIST_NO_RECURSION : 0) | (request.namesOnly ? LIST_NAMES_ONLY : 0);
  const value: Record<string, unknown> = { prefix: request.prefix, pagesize: request.pageSize, props: request.props, time_format: TIME_FORMAT };
  if (flags !== 0) value.flags = String(flags);
  if (request.walk !== undefined) {
    value.uuid = request.walk;
    value.continuation_token = request.startAfter;
  } else if (request.startAfter !== undefined) value.start_after = request.startAfter;
  const { text } = await http.proxyCall({ method: 'GET', path: bucketPath(bucket), json: { action: 'list', value }, context: { bucket } });
  return parseListPage(text);
}

/** A virtual directory of a listing without recursion (`name/`), not an object. */
export function isDirectoryEntry(entry: AisEntry): boolean {
  return ((entry.flags ?? 0) & ENTRY_IS_DIR) !== 0;
}

/** A listed time (TIME_FORMAT) in ms since the epoch; NaN when it cannot be read. */
export function parseListedTime(text: string): number {
  return Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
}

/**
 * One listed object. Its LastModified is the write time the gateway keeps in custom metadata (what HEAD and
 * GET report too); AIS lists no modification time for `ais://` objects, so for an object written natively the
 * access time (the write time until the object is first read) stands in.
 */
export function summaryOfEntry(bucket: string, entry: AisEntry): ObjectSummary {
  const versionId = versionIdOfListed(entry['custom-md']);
  const atime = entry.atime ? parseListedTime(entry.atime) : NaN;
  return {
    key: entry.name,
    size: Number(entry.size ?? 0),
    etag: multipartEtagOfListed(entry['custom-md'], entry.checksum) ?? entry.checksum ?? '',
    lastModified: lastModifiedOfListed(entry['custom-md']) ?? new Date(Number.isNaN(atime) ? 0 : atime),
    versionId: isVersionIdOf(versionId, bucket, entry.name) ? versionId : NULL_VERSION,
    owner: ownerOfListed(entry['custom-md']),
  };
}

/** Past this many characters below `/` in a cursor, a walk is not gone on with (each costs walkGoesOnAfter a probe). */
const MAX_WALK_PROBES = 3;

/**
 * Whether AIS's walk of `directory` can go on after `after` (an AIS name in it) and give what a new walk from there
 * would. A target keeps the names it walked in walk order (a directory's names before a sibling that sorts before its
 * `/`: `d/1` before `d-x`) and finds a continuation token in them by binary search, as if they were in byte order
 * (AIS v1.5.0 `xact/xs/lso.go`, `findToken`). That search is right when every name walked before `after` sorts
 * before it and every later one after it: true when `after` is directly in `directory` (no `/`) and no
 * subdirectory's name followed by a character below `/` starts it (`d` for `d-x` or `d.csv`). Such a subdirectory is
 * probed for (one call of a name, under a name that is usually no directory at all); a cursor in a subdirectory, or
 * with many characters below `/`, starts a new walk.
 */
async function walkGoesOnAfter(http: AisHttp, bucket: string, directory: string, after: string): Promise<boolean> {
  if (!after.startsWith(directory)) return false;
  const name = after.slice(directory.length);
  if (name.includes('/')) return false;
  const clashes: string[] = [];
  for (let at = 1; at < name.length; at += 1) if (name.charCodeAt(at) < 0x2f) clashes.push(`${directory}${name.slice(0, at)}/`);
  if (clashes.length > MAX_WALK_PROBES) return false;
  for (const subdirectory of clashes) {
    // A name AIS cannot have as a directory (`./`) is refused: then a new walk, as for any doubt.
    const probe = await listPage(http, bucket, { prefix: subdirectory, pageSize: 1, props: 'name', namesOnly: true }).catch(() => undefined);
    if (probe === undefined || probe.entries.length > 0) return false;
  }
  return true;
}

/** The AIS walk the last recursive call of one S3 page went on with, to keep for the page after it. */
export interface WalkInUse {
  directory: string;
  pageSize: number;
  session: ListingSession;
}

/**
 * AIS's list action on `bucket`, one AIS page per call (a GET with a JSON body). Objects come with what S3
 * shows of them; a listing without recursion also gives subdirectories (`name/`), including the empty ones
 * deletes leave behind. With `sessions`, a recursive call goes on with the walk the previous page kept for its
 * place, and `inUse.walk` names the walk of the last recursive call (ClusterStore keeps it for the next page).
 */
export function aisLister(http: AisHttp, bucket: string, sessions?: ListingSessions, inUse: { walk?: WalkInUse } = {}): AisLister {
  return async ({ directory, startAfter, limit, recursive, namesOnly }) => {
    const props = namesOnly ? 'name' : 'name,size,checksum,atime,custom';
    const request: AisListRequest = { prefix: directory, startAfter, pageSize: limit, props, noRecursion: !recursive, namesOnly };
    const walks = recursive && !namesOnly ? sessions : undefined;
    let continued = walks !== undefined && startAfter !== undefined ? walks.take({ bucket, directory, pageSize: limit, after: startAfter }) : undefined;
    if (continued !== undefined && !(await walkGoesOnAfter(http, bucket, directory, startAfter!))) continued = undefined;
    const fresh = walks?.startOf(bucket);
    let page: AisListPage;
    if (continued !== undefined) {
      // The walk may have ended on AIS (idle): a new one is where the listing would have been without it.
      page = await listPage(http, bucket, { ...request, walk: continued.uuid }).catch(() => listPage(http, bucket, request));
    } else {
      page = await listPage(http, bucket, request);
    }
    if (fresh !== undefined && page.walk !== undefined) {
      const session = continued?.uuid === page.walk ? continued : { uuid: page.walk, ...fresh };
      inUse.walk = { directory, pageSize: limit, session: { ...session, cursor: startAfter ?? '' } };
    }
    return {
      entries: page.entries.map((entry) =>
        isDirectoryEntry(entry)
          ? { name: entry.name }
          : // The version tag and the S3 key are those of the key the name holds (object-names.ts).
            { name: entry.name, summary: (key: string) => summaryOfEntry(bucket, { ...entry, name: key }) },
      ),
      full: page.next !== undefined,
    };
  };
}
