import type { ListObjectsPage, ListObjectsRequest, ObjectSummary } from '../store';
import { commonPrefixOf, compareUtf8 } from '../../s3/listing-rules';
import { aisNameOf, keyOfAisName, namePrefixOf } from './object-names';

/** One name of an AIS listing page. */
export interface AisListed {
  /** The AIS name; a directory (only in a listing without recursion) ends with `/`. */
  name: string;
  /** The listed object as S3 shows it under `key` (what its name holds); absent for a directory. */
  summary?: (key: string) => ObjectSummary;
}

/** One call of AIS's list action (docs/ais-native-api.md section 7). */
export interface AisListCall {
  /** Lists names under this directory: `''` or a name ending with `/` (see AisWalk for why nothing else). */
  directory: string;
  /** Only names after this one (UTF-8 bytes), AIS's `start_after`. */
  startAfter?: string;
  limit: number;
  /** Whether to list the whole tree, or only the directory's own objects and subdirectories (AIS's no-recursion flag). */
  recursive: boolean;
  /** Names only: AIS then loads no object metadata (for probes). */
  namesOnly?: boolean;
}

/** One AIS page, in UTF-8 byte order; `full` when AIS cut it at the size asked for, and the listing goes on (object-listing.ts). */
export interface AisListAnswer {
  entries: AisListed[];
  full: boolean;
}

export type AisLister = (call: AisListCall) => Promise<AisListAnswer>;

/** The largest page asked of AIS in one call: S3's largest page and the one more name that says whether it is truncated. */
export const MAX_AIS_PAGE = 1001;
/** The smallest page asked of AIS (with a delimiter many names may roll up into one entry). */
const MIN_AIS_PAGE = 16;
/**
 * Whether `text` has a character that sorts before `/` (U+0000 to `.`): a name that goes on with one sorts
 * before the directory of the same start.
 */
function hasBelowSlash(text: string): boolean {
  for (let at = 0; at < text.length; at += 1) if (text.charCodeAt(at) < 0x2f) return true;
  return false;
}
/**
 * Appended to a prefix to go on after every string that starts with it: U+10FFFF is the largest code point,
 * so only strings that themselves continue with four of them are not jumped over (and those are still
 * handled correctly, just read again).
 */
const PAST_PREFIX = '\u{10FFFF}'.repeat(4);
/**
 * The same for a common prefix whose AIS name (object-names.ts) becomes the walk's cursor: after a `.`,
 * U+10FFFF would read as the mark of an escaped segment and sort before `a//b`; U+10FFFE keeps the keys' order.
 */
const PAST_IN_NAMES = '\u{10FFFE}'.repeat(4);
/** Appended to a directory's name to go on after every sibling that sorts before the directory's `/`. */
const PAST_BEFORE_SLASH = `.${PAST_PREFIX}`;
/** Past this many, a directory's subdirectories are taken as they come (AIS would answer with ever larger pages). */
const MAX_SUBDIRECTORIES = 4_000_000;

function maxUtf8(a: string | undefined, b: string): string;
function maxUtf8(a: string | undefined, b: string | undefined): string | undefined;
function maxUtf8(a: string | undefined, b: string | undefined): string | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return compareUtf8(a, b) >= 0 ? a : b;
}

/** Order of AIS's walk: path segment by path segment, each in byte order (a directory before `dir-x`). */
function compareWalk(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (let at = 0; at < Math.min(left.length, right.length); at += 1) {
    const order = compareUtf8(left[at], right[at]);
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** The subdirectory of `parent` that `name` lies in, with its `/`, if any. */
function directoryHolding(parent: string, name: string | undefined): string | undefined {
  if (name === undefined || !name.startsWith(parent)) return undefined;
  const slash = name.indexOf('/', parent.length);
  return slash < 0 ? undefined : name.slice(0, slash + 1);
}

/** A directory whose siblings that sort before its `/` must be listed before the names under it. */
interface Conflict {
  /** The directory holding `name`. */
  parent: string;
  /** A directory's name (without `/`) with siblings between it and its `/` that must come first. */
  name: string;
}

/**
 * AIS's objects in the UTF-8 byte order of their names, which is S3's listing order. AIS does not list in that
 * order (observed on v1.5.0, docs/ais-native-api.md section 7): each mountpath walks its file tree directory by
 * directory, so the names under `d/` come before a sibling `d.csv` although `d.csv` < `d/1`; a target merges
 * its mountpaths' walks by name and keeps the first `limit` names after `start_after` (by bytes), and the
 * proxy merges the targets' pages by name. A full page is complete up to its end only if no directory it
 * reaches into has a sibling that sorts between the directory's name and its `/` (`d-x`, `d.csv`, `d x/...`):
 * such a sibling may still be unread. After a full page, the directories on the path of its last name in the
 * walk and of its last name by bytes are checked for one (and so are directories whose name starts one of
 * those path segments, `logs` for `logs-1.txt`, which another mountpath or target may still be inside); where
 * there is one, the siblings are listed first, each subdirectory among them in turn, then the directory.
 *
 * Two more AIS habits shape the calls. AIS lists a directory alone when asked for a prefix that names one
 * (`prefix: "a"` gives `a/...` but not `a-b`), so it is only asked for whole directories and names are
 * filtered here. Without recursion it gives every subdirectory whatever `start_after` says, so a directory's
 * subdirectories are read once (all of them) and its objects are read with room for them on every page.
 */
export class AisWalk {
  /** The last name given or skipped: names only ever increase. */
  private last: string | undefined;
  /** Directory names known to have no sibling between their name and their `/` after the name given. */
  private readonly clear = new Map<string, string>();
  /** Every subdirectory (`name/`) of the directories read so far, in byte order. */
  private readonly subdirectories = new Map<string, Promise<string[]>>();
  private ended = false;

  constructor(
    private readonly list: AisLister,
    /** How many names to ask for in the next call. */
    private readonly pageSize: () => number,
  ) {}

  /** Goes on after every name up to `name` (a common prefix rolled up): the walk skips them. */
  skipPast(name: string): void {
    this.last = maxUtf8(this.last, name);
  }

  /** The objects in `directory` whose names start with `start` and come after `after`. */
  async *objects(directory: string, start: string, after: string | undefined): AsyncGenerator<AisListed> {
    // Everything that starts with `start` comes after `start` without its last character.
    let cursor = maxUtf8(after, start.length > directory.length ? start.slice(0, start.length - Array.from(start).at(-1)!.length) : undefined);
    while (!this.ended) {
      cursor = maxUtf8(cursor, this.last);
      const { entries, full } = await this.list({ directory, startAfter: cursor, limit: this.pageSize(), recursive: true });
      const objects = entries
        .filter((entry) => entry.summary !== undefined && entry.name.startsWith(directory) && (cursor === undefined || compareUtf8(entry.name, cursor) > 0))
        .sort((a, b) => compareUtf8(a.name, b.name));
      if (!full || objects.length === 0) {
        yield* this.given(objects, start);
        return;
      }
      const conflict = await this.firstConflict(directory, cursor, objects);
      if (conflict === undefined) {
        yield* this.given(objects, start);
        cursor = maxUtf8(cursor, objects.at(-1)!.name);
        continue;
      }
      yield* this.given(
        objects.filter((entry) => compareUtf8(entry.name, conflict.name) < 0),
        start,
      );
      yield* this.siblingsBefore(conflict, cursor, start);
      cursor = maxUtf8(cursor, conflict.name + PAST_BEFORE_SLASH);
    }
  }

  /** Gives the names in order, each once; ends the walk at the first name past everything starting with `start`. */
  private *given(entries: AisListed[], start: string): Generator<AisListed> {
    for (const entry of entries) {
      if (this.ended) return;
      if (!entry.name.startsWith(start)) {
        if (compareUtf8(entry.name, start) > 0) this.ended = true;
        continue;
      }
      if (this.last !== undefined && compareUtf8(entry.name, this.last) <= 0) continue;
      this.last = entry.name;
      yield entry;
    }
  }

  /** The first directory (by name) whose siblings before its `/` may still be unread (see the class comment). */
  private async firstConflict(directory: string, cursor: string | undefined, objects: AisListed[]): Promise<Conflict | undefined> {
    const lastInWalk = objects.reduce((a, b) => (compareWalk(a.name, b.name) >= 0 ? a : b)).name;
    const levels = new Map<string, { parent: string; leaf: boolean }>();
    for (const name of [lastInWalk, objects.at(-1)!.name]) {
      const segments = name.slice(directory.length).split('/');
      let parent = directory;
      segments.forEach((segment, at) => {
        const leaf = at === segments.length - 1;
        // An object's own name can only be started by a directory's if it has a character below `/`.
        if (!leaf || hasBelowSlash(segment)) levels.set(parent + segment, { parent, leaf });
        parent += `${segment}/`;
      });
    }
    let first: Conflict | undefined;
    for (const [path, { parent, leaf }] of levels) {
      const name = await this.conflictAt(parent, path, leaf, cursor);
      if (name !== undefined && (first === undefined || compareUtf8(name, first.name) < 0)) first = { parent, name };
    }
    return first;
  }

  private isClear(name: string, cursor: string | undefined): boolean {
    const clearAfter = this.clear.get(name);
    return clearAfter !== undefined && compareUtf8(cursor ?? '', clearAfter) >= 0;
  }

  /**
   * The smallest directory in `parent` whose siblings before its `/` may still be unread, seen from `path` (a
   * name in `parent`; `leaf`: an object's): a directory whose name starts `path`, with `path` sorting before
   * its `/`, or else `path` itself if it is a directory with a sibling after `cursor` before its `/`.
   */
  private async conflictAt(parent: string, path: string, leaf: boolean, cursor: string | undefined): Promise<string | undefined> {
    if (this.isClear(path, cursor)) return undefined;
    const subdirectories = await this.subdirectoriesOf(parent);
    const starting = subdirectories
      .map((directory) => directory.slice(0, -1))
      .filter((name) => name.length < path.length && path.startsWith(name) && hasBelowSlash(path[name.length]) && !this.isClear(name, cursor))
      .sort((a, b) => a.length - b.length);
    if (starting.length > 0) return starting[0];
    const from = maxUtf8(cursor, path);
    const end = `${path}/`;
    if (!leaf) {
      const between = (name: string | undefined) => name !== undefined && compareUtf8(name, from) > 0 && compareUtf8(name, end) < 0;
      // A sibling directory the walk is inside of: listed by name it is behind `cursor`, but not all read.
      const inside = directoryHolding(parent, cursor);
      if ((inside !== undefined && compareUtf8(inside, path) > 0 && compareUtf8(inside, end) < 0) || subdirectories.some(between)) return path;
      const { value } = await this.objectsIn(parent, from, true, 1).next();
      if (between(value?.name)) return path;
    }
    this.clear.set(path, from);
    return undefined;
  }

  /**
   * The objects in `parent`'s subtree between directory `conflict.name` and its `/` (siblings such as `name-x`,
   * `name.csv`, and everything under those that are directories), after `cursor`, in byte order.
   */
  private async *siblingsBefore(conflict: Conflict, cursor: string | undefined, start: string): AsyncGenerator<AisListed> {
    const { parent, name } = conflict;
    const from = maxUtf8(cursor, name);
    const end = `${name}/`;
    const subdirectories = (await this.subdirectoriesOf(parent)).filter((directory) => compareUtf8(directory, from) > 0 && compareUtf8(directory, end) < 0);
    // The walk may be inside one of the siblings (listed by name it is behind `cursor`): the rest of it comes first.
    const inside = directoryHolding(parent, cursor);
    if (inside !== undefined && compareUtf8(inside, name) > 0 && compareUtf8(inside, end) < 0) subdirectories.unshift(inside);
    const giveSubdirectoriesBefore = async function* (this: AisWalk, bound: string | undefined): AsyncGenerator<AisListed> {
      while (subdirectories.length > 0 && (bound === undefined || compareUtf8(subdirectories[0], bound) < 0)) {
        const directory = subdirectories.shift()!;
        if (directory.startsWith(start) || start.startsWith(directory)) {
          yield* this.objects(directory, directory.length >= start.length ? directory : start, cursor);
        } else if (compareUtf8(directory, start) > 0) {
          // Nothing in it can start with `start`, and it comes after all that does.
          this.ended = true;
        }
      }
    };
    for await (const object of this.objectsIn(parent, maxUtf8(this.last, from), false)) {
      if (this.ended || compareUtf8(object.name, end) >= 0) break;
      yield* giveSubdirectoriesBefore.call(this, object.name);
      yield* this.given([object], start);
    }
    yield* giveSubdirectoriesBefore.call(this, undefined);
    // Every sibling before `name/` has been given.
    this.clear.set(name, from);
  }

  /** Every subdirectory of `parent` (`name/`), in byte order: AIS gives them all when no object comes after `start_after`. */
  private subdirectoriesOf(parent: string): Promise<string[]> {
    let known = this.subdirectories.get(parent);
    if (known === undefined) {
      known = (async () => {
        for (let limit = MAX_AIS_PAGE; ; limit *= 4) {
          const { entries, full } = await this.list({ directory: parent, startAfter: parent + PAST_PREFIX, limit, recursive: false, namesOnly: true });
          if (!full || limit >= MAX_SUBDIRECTORIES) {
            return entries
              .filter((entry) => entry.summary === undefined)
              .map((entry) => entry.name)
              .sort(compareUtf8);
          }
        }
      })();
      this.subdirectories.set(parent, known);
    }
    return known;
  }

  /**
   * The objects directly in `parent` after `from`, in byte order. Every page also holds all of `parent`'s
   * subdirectories, so each asks for that many more names: then every target's page reaches as many objects
   * as asked for, and the merged page holds exactly the first ones.
   */
  private async *objectsIn(parent: string, from: string, namesOnly: boolean, pageSize = this.pageSize()): AsyncGenerator<AisListed, void> {
    let room = (await this.subdirectoriesOf(parent)).length;
    let startAfter = from;
    for (;;) {
      const { entries, full } = await this.list({ directory: parent, startAfter, limit: pageSize + room, recursive: false, namesOnly });
      const objects = entries
        .filter((entry) => entry.summary !== undefined && compareUtf8(entry.name, startAfter) > 0)
        .sort((a, b) => compareUtf8(a.name, b.name));
      yield* objects;
      if (!full) return;
      if (objects.length === 0) {
        // Only subdirectories: more of them than when they were counted.
        if (room >= MAX_SUBDIRECTORIES) return;
        room = 2 * room + pageSize;
        continue;
      }
      startAfter = objects.at(-1)!.name;
    }
  }
}

/**
 * Where the walk goes on after `key` (a key, or all under its common prefix when the request has a delimiter), as an
 * AIS name: the cursor of the first AIS call of the page after one that ended at `key`.
 */
export function walkCursorAfter(request: ListObjectsRequest, key: string): string {
  const rollUp = request.delimiter ? commonPrefixOf(key, request.prefix, request.delimiter) : undefined;
  return aisNameOf(rollUp === undefined ? key : maxUtf8(key, rollUp + PAST_IN_NAMES));
}

/**
 * Assembles one S3 listing page from AIS's listing (AIS pages never align with max-keys): reads until it has
 * max-keys entries plus one more to know whether the listing is truncated, or the listing ends. Keys are
 * read from AIS names (object-names.ts), whose byte order is the keys' order. With a delimiter, keys are
 * rolled up into common prefixes here (AIS's own no-recursion mode knows only `/` and shows empty
 * directories that deletes leave behind), and the listing continues past each common prefix instead of
 * reading every name under it.
 */
export async function assemblePage(request: ListObjectsRequest, list: AisLister): Promise<ListObjectsPage> {
  const page: ListObjectsPage = { objects: [], commonPrefixes: [], isTruncated: false };
  if (request.maxKeys <= 0) return page;
  const { prefix, delimiter, startAfter: marker } = request;
  const names = namePrefixOf(prefix);
  const rollUpOf = (key: string): string | undefined => (delimiter ? commonPrefixOf(key, prefix, delimiter) : undefined);
  const resumeAfter = (key: string): string => {
    const rollUp = rollUpOf(key);
    return rollUp === undefined ? key : maxUtf8(key, rollUp + PAST_PREFIX);
  };
  const pageSize = () => Math.min(MAX_AIS_PAGE, Math.max(request.maxKeys + 1 - page.objects.length - page.commonPrefixes.length, MIN_AIS_PAGE));

  const nameAfter = (key: string): string => walkCursorAfter(request, key);

  const after = marker !== undefined ? resumeAfter(marker) : undefined;
  const walk = new AisWalk(list, pageSize);
  for await (const entry of walk.objects(names.directory, names.start, marker === undefined ? undefined : nameAfter(marker))) {
    const key = keyOfAisName(entry.name);
    if (key === undefined || !key.startsWith(prefix)) continue;
    if (after !== undefined && compareUtf8(key, after) <= 0) continue;
    const rollUp = rollUpOf(key);
    // Already given on this page, or on an earlier one (at or before the marker).
    if (rollUp !== undefined && (rollUp === page.lastEntry || (marker !== undefined && compareUtf8(rollUp, marker) <= 0))) continue;
    if (page.objects.length + page.commonPrefixes.length === request.maxKeys) {
      page.isTruncated = true;
      return page;
    }
    if (rollUp === undefined) {
      page.objects.push(entry.summary!(key));
    } else {
      page.commonPrefixes.push(rollUp);
      walk.skipPast(nameAfter(key));
    }
    page.lastEntry = rollUp ?? key;
  }
  return page;
}
